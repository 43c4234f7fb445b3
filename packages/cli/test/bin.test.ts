import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { deleteQueueKeys, freePort, repoRoot, testServices, uniqueName } from '@openim-sync/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCapture, runCli } from '../src/index.js';

const entry = `${repoRoot}packages/cli/dist/main.js`;

/** Runs the built `openim-sync` binary (`pnpm jobs …` is `openim-sync jobs …`) and collects its exit code and output. */
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

describe('the built openim-sync binary', () => {
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
    const result = await runBuilt(['jobs', 'counts'], env);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(/^waiting +0\n(.*\n)*failed +0\npaused +no\ninbox +0\ninbox rejected +0\n$/);
  });

  it('prints its help and exits 2 on a bad flag', async () => {
    expect((await runBuilt(['--help'], env)).out).toContain('Usage: openim-sync <command>');
    expect((await runBuilt(['jobs', '--help'], env)).out).toContain('Usage: openim-sync jobs <command>');
    const bad = await runBuilt(['jobs', 'failed', '--limit', '-1'], env);
    expect([bad.code, bad.out]).toEqual([2, '']);
    expect(bad.err).toContain('--limit "-1": expected a positive whole number');
  });

  it('prints the version of its package.json', async () => {
    const { version } = JSON.parse(readFileSync(`${repoRoot}packages/cli/package.json`, 'utf8'));
    expect(await runBuilt(['--version'], env)).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });

  it('reads the counts again and again with --watch, and exits 0 on Ctrl-C', async () => {
    const child = spawn(process.execPath, [entry, 'jobs', 'counts', '--watch', '0.2', '--json'], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const parsed: Array<Record<string, unknown>> = [];
    // Ctrl-C once three readings are in; stdout ends when the process does.
    for await (const line of createInterface({ input: child.stdout })) {
      parsed.push(JSON.parse(line));
      if (parsed.length === 3) child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(err).toBe('');
    expect(parsed.length).toBeGreaterThanOrEqual(3);
    expect(parsed[0]).toEqual({
      at: expect.any(String),
      waiting: 0,
      active: 0,
      delayed: 0,
      completed: 0,
      failed: 0,
      paused: false,
      inbox: 0,
      inboxRejected: 0,
    });
    const times = parsed.map((reading) => Date.parse(reading.at as string));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(190);
  });

  it.each([
    ['a pipe', false, /^\d{4}-.+Z\nwaiting +0\n(.*\n)+inbox rejected +0\n\n$/],
    [
      'a terminal',
      true,
      /^ESC\[HESC\[2Jevery 0\.05s, Ctrl-C to stop.+ZESC\[22m\nwaiting +0\n(.*\n)+inbox rejected +0\n$/,
    ],
  ])('--watch into %s: each reading after the time it was read', async (_name, isTTY, reading) => {
    const stdout = { ...createCapture(isTTY), isTTY };
    const interrupt = new AbortController();
    const running = runCli({
      argv: ['jobs', 'counts', '--watch', '0.05'],
      env,
      stdout,
      stderr: createCapture(),
      interrupt: () => interrupt.signal,
    });
    await vi.waitFor(() => expect(stdout.text().split('inbox rejected').length).toBeGreaterThan(3));
    interrupt.abort();
    expect(await running).toBe(0);
    // ESC spelled out: the readings start with terminal control sequences.
    const readings = stdout
      .text()
      .replaceAll('\x1b', 'ESC')
      .split(/(?=ESC\[H)|(?<=\n\n)/);
    expect(readings.length).toBeGreaterThanOrEqual(3);
    for (const text of readings) expect(text).toMatch(reading);
  });

  it('fails within seconds, exit 1, when nothing listens at REDIS_URL', async () => {
    const port = await freePort();
    const started = Date.now();
    const result = await runBuilt(['jobs', 'counts'], { ...env, REDIS_URL: `redis://127.0.0.1:${port}` });
    // Node's start-up and module loading (about a second, several on a busy machine) come on top of the
    // tool's own give-up time, which the in-process tests below hold to 5 s.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect([result.code, result.out]).toEqual([1, '']);
    expect(result.err).toMatch(
      new RegExp(`^openim-sync jobs: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}/?: .*ECONNREFUSED`),
    );
  });
});

describe('an unreachable Redis in process', () => {
  it.each(['counts', 'failed', 'pause'])('fails "%s" within 5 s with exit 1', async (verb) => {
    const port = await freePort();
    const stderr = createCapture();
    const started = Date.now();
    const code = await runCli({
      argv: ['jobs', verb],
      env: { REDIS_URL: `redis://127.0.0.1:${port}` },
      stdout: createCapture(),
      stderr,
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(code).toBe(1);
    expect(stderr.lines()).toEqual([expect.stringMatching(/^openim-sync jobs: cannot reach Redis at /)]);
  });
});
