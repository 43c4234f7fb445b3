import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { deleteQueueKeys, freePort, repoRoot, testServices, uniqueName } from '@openim-sync/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapture, runCli } from '../src/index.js';

const entry = `${repoRoot}packages/cli/dist/main.js`;

/** Runs the built `jobs` binary as `pnpm jobs` does and collects its exit code and output. */
function runBuilt(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; out: string; err: string }>((resolve) => {
    execFile(
      process.execPath,
      [entry, ...args],
      { cwd: repoRoot, env: { ...process.env, ...env } },
      (err, out, errOut) => resolve({ code: err ? Number(err.code ?? 1) : 0, out, err: errOut }),
    );
  });
}

describe('the built jobs binary', () => {
  const { redisUrl } = testServices();
  const name = uniqueName('cli_bin');
  const env = { REDIS_URL: redisUrl, QUEUE_NAME: name, QUEUE_PREFIX: name };

  beforeAll(() => {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run "pnpm build" first`);
  });

  afterAll(async () => {
    await deleteQueueKeys(redisUrl, name, name);
  });

  it('starts with its shebang and answers counts', async () => {
    const result = await runBuilt(['counts'], env);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(/^waiting +0\n(.*\n)*failed +0\npaused +no\ninbox +0\ninbox rejected +0\n$/);
  });

  it('prints its help and exits 2 on a bad flag', async () => {
    expect((await runBuilt(['--help'], env)).out).toContain('Usage: jobs <command>');
    const bad = await runBuilt(['failed', '--limit', '-1'], env);
    expect([bad.code, bad.out]).toEqual([2, '']);
    expect(bad.err).toContain('--limit "-1": expected a positive whole number');
  });

  it('fails within seconds, exit 1, when nothing listens at REDIS_URL', async () => {
    const port = await freePort();
    const started = Date.now();
    const result = await runBuilt(['counts'], { ...env, REDIS_URL: `redis://127.0.0.1:${port}` });
    // Node's start-up and module loading (about a second, several on a busy machine) come on top of the
    // tool's own give-up time, which the in-process tests below hold to 5 s.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect([result.code, result.out]).toEqual([1, '']);
    expect(result.err).toMatch(
      new RegExp(`^jobs: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}/?: .*ECONNREFUSED`),
    );
  });
});

describe('an unreachable Redis in process', () => {
  it.each(['counts', 'failed', 'pause'])('fails "%s" within 5 s with exit 1', async (verb) => {
    const port = await freePort();
    const stderr = createCapture();
    const started = Date.now();
    const code = await runCli({
      argv: [verb],
      env: { REDIS_URL: `redis://127.0.0.1:${port}` },
      stdout: createCapture(),
      stderr,
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(code).toBe(1);
    expect(stderr.lines()).toEqual([expect.stringMatching(/^jobs: cannot reach Redis at /)]);
  });
});
