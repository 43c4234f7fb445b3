import { fileURLToPath } from 'node:url';
import { type ServiceProcess, startService } from '@openim-sync/testing';
import { afterEach, describe, expect, it } from 'vitest';

// The child imports the built package (dist): build first, as for the end-to-end tests.
const child = fileURLToPath(new URL('./fixtures/graceful-exit-child.mjs', import.meta.url));
const started: ServiceProcess[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop('SIGKILL')));
});

async function start(mode: string, timeoutMs = 10_000): Promise<ServiceProcess> {
  const process = startService(child, { GRACE_MODE: mode, SHUTDOWN_TIMEOUT_MS: String(timeoutMs) });
  started.push(process);
  await process.waitForLine(/"msg":"ready"/);
  return process;
}

interface Line {
  msg: string;
  reason?: string;
}
// Lines can reach the pipe out of order (pino writes asynchronously): compare them as sets.
const messages = (p: ServiceProcess) => p.output.map((line) => JSON.parse(line) as Line);
const said = (p: ServiceProcess) =>
  messages(p)
    .map((m) => m.msg)
    .sort();

describe('gracefulExit', () => {
  it('closes once on SIGTERM and exits 0', async () => {
    const p = await start('clean');
    expect(await p.stop('SIGTERM')).toBe(0);
    expect(said(p)).toEqual(['closing', 'ready', 'shutdown complete', 'shutting down']);
    expect(messages(p).find((m) => m.msg === 'shutting down')?.reason).toBe('SIGTERM');
  });

  it('closes on SIGINT too', async () => {
    const p = await start('clean');
    expect(await p.stop('SIGINT')).toBe(0);
    expect(p.output.join('\n')).toContain('shutdown complete');
  });

  it('exits 1 at the deadline when a resource does not close', async () => {
    const p = await start('stuck', 300);
    const signalledAt = Date.now();
    expect(await p.stop('SIGTERM')).toBe(1);
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(290);
    expect(p.output.join('\n')).toContain('shutdown deadline passed');
    expect(p.output.join('\n')).not.toContain('shutdown complete');
  });

  it('exits 1 at once on a second signal while closing', async () => {
    const p = await start('stuck', 60_000);
    p.child.kill('SIGTERM');
    await p.waitForLine(/"msg":"closing"/);
    expect(await p.stop('SIGTERM')).toBe(1);
    expect(p.output.join('\n')).toContain('second signal');
  });

  it('closes and exits 1 after fail()', async () => {
    const p = await start('fail');
    expect(await p.exited).toBe(1);
    const shuttingDown = messages(p).find((m) => m.msg === 'shutting down');
    expect(shuttingDown?.reason).toBe('listener broke');
    expect(p.output.join('\n')).toContain('shutdown complete');
  });

  it('closes and exits 1 after an unhandled rejection', async () => {
    const p = await start('throw');
    expect(await p.exited).toBe(1);
    expect(said(p)).toEqual(['closing', 'ready', 'shutdown complete', 'shutting down', 'uncaught error']);
  });
});
