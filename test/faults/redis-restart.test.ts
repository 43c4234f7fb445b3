import { setTimeout as delay } from 'node:timers/promises';
import {
  checkEffects,
  createWorkload,
  Ledger,
  loadResults,
  type RedisServer,
  retryReasons,
  type SendRecord,
  type Stack,
  sendLoad,
  startFaultStack,
  waitForDrain,
  writeResults,
} from '@openim-sync/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';

const OUTAGE_MS = 3000;
/** ENQUEUE_TIMEOUT_MS is 1500 by default: a 503 must come well before OpenIM's 5 s. */
const MAX_OUTAGE_LATENCY_MS = 2000;
const workload = createWorkload(64, 38);

describe(`Redis SIGKILL and restart under load (seed ${workload.seed})`, () => {
  let stack: Stack | undefined;
  afterAll(() => stack?.close());

  it('answers 503 fast while Redis is down and processes every acknowledged callback', {
    timeout: 150_000,
  }, async () => {
    const started = Date.now();
    // Persistence by the append-only file, fsynced on every write: an acknowledged job survives the SIGKILL.
    const s = await startFaultStack({ label: 'redis_restart', ownRedis: {} });
    stack = s;
    const r = s.redisServer as RedisServer;
    const [ingress] = await Promise.all([s.startIngress(), s.startWorker(), s.startWorker()]);
    const workerPids = s.workers.map((w) => w.child.pid);
    const ledger = new Ledger();
    // About 15 s of load at 170 callbacks/s: before, during and after the outage.
    const load = sendLoad(workload.groups, ledger, { target: () => ingress.url, concurrency: 16, ratePerSecond: 170 });

    await vi.waitFor(() => expect(ledger.count('acked')).toBeGreaterThan(workload.all.length / 4), {
      timeout: 60_000,
      interval: 20,
    });
    await r.kill();
    const killedAt = Date.now();
    await vi.waitFor(() => expect(ledger.count('unavailable')).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
    const readyDuringOutage = await fetch(`${ingress.url}/readyz`);
    await readyDuringOutage.text();
    await delay(Math.max(0, killedAt + OUTAGE_MS - Date.now())); // keep sending into the outage
    const restartedAt = Date.now();
    await r.start();
    const upAt = Date.now();
    await load;
    const sendMs = Date.now() - started;
    const drainMs = await waitForDrain(s, ledger);
    const effects = await checkEffects(s, workload, ledger);

    // Requests that started while no Redis process existed: every one a 503, in bounded time.
    const outage = ledger.records.filter((rec) => rec.startedAt >= killedAt && rec.startedAt < restartedAt);
    const latency = (rec: SendRecord) => rec.endedAt - rec.startedAt;
    const outageLatencies = outage.map(latency);
    expect(outage.length).toBeGreaterThan(50);
    expect(new Set(outage.map((rec) => rec.outcome)), ledger.examples('rejected').join('\n')).toEqual(
      new Set(['unavailable']),
    );
    expect(Math.max(...outageLatencies)).toBeLessThan(MAX_OUTAGE_LATENCY_MS);
    expect(readyDuringOutage.status).toBe(503);
    const summary = ledger.summary();
    expect({ hung: summary.hung, refused: summary.refused, rejected: summary.rejected }).toEqual({
      hung: 0,
      refused: 0,
      rejected: 0,
    });
    // Acks after the restart, processed by the same worker processes that lived through it.
    const ackedAfter = ledger.records.filter((rec) => rec.outcome === 'acked' && rec.startedAt >= upAt).length;
    expect(ackedAfter).toBeGreaterThan(workload.all.length / 5);
    expect(s.workers.filter((p) => p.running()).map((w) => w.child.pid)).toEqual(workerPids);
    expect(ingress.process.running()).toBe(true);

    writeResults('redis-restart', {
      ...loadResults(ledger, workload),
      redisKills: 1,
      redisRestarts: 1,
      outageMs: upAt - killedAt,
      requestsDuringOutage: outage.length,
      maxLatencyDuringOutageMs: Math.max(...outageLatencies),
      medianLatencyDuringOutageMs: outageLatencies.sort((a, b) => a - b)[Math.floor(outageLatencies.length / 2)],
      readyzDuringOutage: readyDuringOutage.status,
      ackedBeforeKill: ledger.records.filter((rec) => rec.outcome === 'acked' && rec.endedAt <= killedAt).length,
      ackedAfterRestart: ackedAfter,
      // The ingress reconnects with a backoff of up to 2 s: it may answer 503 for that long after Redis is back.
      unavailableAfterRestart: ledger.records.filter((rec) => rec.outcome === 'unavailable' && rec.startedAt >= upAt)
        .length,
      lastUnavailableAfterRestartMs: Math.max(
        0,
        ...ledger.records.filter((rec) => rec.outcome === 'unavailable').map((rec) => rec.endedAt - upAt),
      ),
      workersRestarted: 0,
      retryReasons: retryReasons(s),
      ...effects,
      sendMs,
      drainAfterLastAckMs: drainMs,
      durationMs: Date.now() - started,
    });
  });
});
