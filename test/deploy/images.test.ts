// What the images run, without a Docker engine: the Dockerfile's own
// `pnpm deploy` commands lay out the folders the images hold as /app (here in
// a temporary folder, from this checkout's build), and each app starts there
// as the image's CMD starts it, against the test's Redis and Postgres: its
// HEALTHCHECK command passes, /readyz answers 200, and SIGTERM stops it with
// exit 0. The worker's folder runs the CLI through bin/openim-sync too.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  createTestSchema,
  deleteQueueKeys,
  freePort,
  type TestSchema,
  testServices,
  uniqueName,
} from '@openim-sync/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deployCommands, healthcheck, stage } from './dockerfile.js';
import { root } from './tools.js';

const run = promisify(execFile);

/** Exit code of a command, 0 when it succeeded. */
async function exitCode(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  return run(file, args, options).then(
    () => 0,
    (err: { code?: number }) => err.code ?? 1,
  );
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `CMD ["node", "dist/main.js"]` in an image's folder; the environment is only `env`, as in a container. */
function startImage(folder: string, env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: folder,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('the images’ folders, as the Dockerfile deploys them', () => {
  const { redisUrl, databaseUrl } = testServices();
  const name = uniqueName('images');
  const queueEnv = { REDIS_URL: redisUrl, QUEUE_NAME: name, QUEUE_PREFIX: name };
  const started: Started[] = [];
  let out: string;
  let schema: TestSchema;

  beforeAll(async () => {
    for (const entry of ['apps/ingress/dist/main.js', 'apps/worker/dist/main.js', 'packages/cli/dist/main.js']) {
      if (!existsSync(join(root, entry))) throw new Error(`${entry} is missing: run "pnpm build" first`);
    }
    out = mkdtempSync(join(tmpdir(), 'images-'));
    schema = await createTestSchema(databaseUrl, 'images');
    // The build stage's commands with /out moved here; offline: the store holds what the lockfile names.
    for (const words of deployCommands()) {
      const args = words.slice(1).map((word) => word.replace(/^\/out\b/, out));
      await run('pnpm', [...args, '--offline'], { cwd: root, env: { ...process.env, CI: 'true' } });
    }
  }, 180_000);

  afterAll(async () => {
    // Whatever happened in a test, no process outlives it.
    for (const { child } of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(started.map(({ exited }) => exited));
    await deleteQueueKeys(redisUrl, name, name);
    await schema?.drop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  /** Starts an image's app, waits until its HEALTHCHECK passes and /readyz says 200, then stops it with SIGTERM. */
  async function startCheckStop(image: 'ingress' | 'worker', env: Record<string, string>, port: number) {
    const folder = join(out, image);
    const [, ...check] = healthcheck(stage(image).lines);
    const health = () => exitCode(process.execPath, check, { cwd: folder, env: { PATH: process.env.PATH, ...env } });
    // Nothing listens yet: the check can fail.
    expect(await health()).toBe(1);

    const app = startImage(folder, env);
    started.push(app);
    await vi.waitFor(async () => expect(await health(), app.output()).toBe(0), { timeout: 30_000, interval: 250 });
    await vi.waitFor(
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`);
        expect(response.status, app.output()).toBe(200);
      },
      { timeout: 30_000, interval: 250 },
    );

    app.child.kill('SIGTERM');
    expect(await app.exited, app.output()).toBe(0);
  }

  it('the ingress starts with node dist/main.js, passes its HEALTHCHECK, and stops on SIGTERM', async () => {
    const port = await freePort();
    await startCheckStop('ingress', { ...queueEnv, HOST: '127.0.0.1', PORT: String(port) }, port);
  });

  it('the worker starts with node dist/main.js, passes its HEALTHCHECK, and stops on SIGTERM', async () => {
    const port = await freePort();
    const env = {
      ...queueEnv,
      SINKS: 'postgres',
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: schema.name,
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(port),
    };
    await startCheckStop('worker', env, port);
  });

  // The image puts /app/bin on PATH; here the folder's bin/ stands for it.
  it('the worker’s folder runs the CLI as openim-sync from its PATH', async () => {
    const folder = join(out, 'worker');
    const env = { PATH: `${join(folder, 'bin')}:${process.env.PATH}`, ...queueEnv };
    const help = await run('openim-sync', ['--help'], { cwd: folder, env });
    expect(help.stdout).toMatch(/^Usage: /);
    // It reaches Redis with the worker's settings: its dependencies came along.
    const counts = await run('openim-sync', ['jobs', 'counts'], { cwd: folder, env });
    expect([counts.stdout, counts.stderr]).toEqual([expect.stringMatching(/waiting/i), '']);
  });
});
