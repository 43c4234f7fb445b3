// /readyz is open to every address (orchestrators probe it from anywhere), so a
// flood of probes must not become a flood of Redis commands: the ingress and the
// worker answer from one check a second. Counted with INFO commandstats on a
// redis-server of the test's own, against an idle window of the same length.
import { freePort, type Stack, startFaultStack, writeResults } from '@openim-sync/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';

const WINDOW_MS = 3000;
const CONCURRENCY = 50;

/** Calls per command since the last CONFIG RESETSTAT, without the test's own INFO and CONFIG. */
async function commandCounts(redis: Redis): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const match of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    const [, name = '', calls = '0'] = match;
    if (name !== 'info' && !name.startsWith('config')) counts.set(name, Number(calls));
  }
  return counts;
}

const total = (counts: Map<string, number>) => [...counts.values()].reduce((sum, n) => sum + n, 0);

/** Probes `url` from CONCURRENCY loops for WINDOW_MS; returns how many answered and with what. */
async function flood(url: string): Promise<{ requests: number; statuses: Set<number> }> {
  const until = performance.now() + WINDOW_MS;
  const statuses = new Set<number>();
  let requests = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const response = await fetch(url);
        await response.arrayBuffer();
        statuses.add(response.status);
        requests += 1;
      }
    }),
  );
  return { requests, statuses };
}

describe('a flood of /readyz probes', () => {
  let stack: Stack | undefined;
  let admin: Redis | undefined;
  afterAll(async () => {
    admin?.disconnect();
    await stack?.close();
  });

  it('costs Redis at most a few commands, at the ingress and at the worker', { timeout: 120_000 }, async () => {
    const metricsPort = await freePort();
    // A Redis of the test's own: its command counts are the probes' and the processes' only.
    const s = await startFaultStack({
      label: 'readyz_load',
      ownRedis: {},
      workerEnv: { METRICS_PORT: String(metricsPort), METRICS_HOST: '127.0.0.1' },
    });
    stack = s;
    const [ingress] = await Promise.all([s.startIngress(), s.startWorker()]);
    admin = new Redis(s.redisUrl);

    // What the idle processes send by themselves (blocking reads, stalled-job checks) in one window.
    await admin.config('RESETSTAT');
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
    const idle = await commandCounts(admin);

    await admin.config('RESETSTAT');
    const [atIngress, atWorker] = await Promise.all([
      flood(`${ingress?.url}/readyz`),
      flood(`http://127.0.0.1:${metricsPort}/readyz`),
    ]);
    const flooded = await commandCounts(admin);

    writeResults('readyz-load', {
      windowMs: WINDOW_MS,
      concurrency: CONCURRENCY,
      probes: { ingress: atIngress.requests, worker: atWorker.requests },
      redisCommands: { idle: Object.fromEntries(idle), flooded: Object.fromEntries(flooded) },
    });
    expect(atIngress.statuses).toEqual(new Set([200]));
    expect(atWorker.statuses).toEqual(new Set([200]));
    expect(atIngress.requests).toBeGreaterThan(100);
    expect(atWorker.requests).toBeGreaterThan(100);
    // One PING a second at most from the ingress: 3 in a 3 s window, plus one at each edge.
    expect(flooded.get('ping') ?? 0).toBeLessThanOrEqual(5);
    // The rest is the processes' own background work, which varies between windows by a few dozen
    // commands; without the cache the ingress alone sent one PING per probe (over a thousand here).
    expect(total(flooded) - total(idle)).toBeLessThanOrEqual(30);
  });
});
