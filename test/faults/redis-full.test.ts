import { inboxKeys, readMemory } from '@openim-sync/queue';
import {
  checkEffects,
  createWorkload,
  Ledger,
  retryReasons,
  type Stack,
  sendLoad,
  startFaultStack,
  waitForDrain,
  writeResults,
} from '@openim-sync/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';

const MAXMEMORY = 20 * 1024 * 1024;
const HIGH_WATER = 0.4;
/**
 * An inbox entry takes about 320 bytes, so 8 MB (0.4 × 20 MB) is about
 * 22,000 callbacks: the flood sends more than that. The drain then needs far
 * more than 20 MB if every entry became a job at once (about 2 KB each), so
 * the workers' movers must wait for the workers to finish jobs.
 */
const FLOOD_GROUPS = 560;
const MOVER_WAITS = 'Redis memory nearly full: the inbox waits until workers finish jobs';
const INGRESS_RECOVERS = 'Redis memory below the high-water mark: acknowledging callbacks again';
const workload = createWorkload(FLOOD_GROUPS + 200, 49);
const flood = workload.groups.slice(0, FLOOD_GROUPS);
const later = workload.groups.slice(FLOOD_GROUPS);

describe(`Redis full: maxmemory ${MAXMEMORY / 2 ** 20} MB, workers stopped (seed ${workload.seed})`, () => {
  let stack: Stack | undefined;
  afterAll(() => stack?.close());

  it('answers 503 above the high-water mark, drains once workers start, then acks again by itself', {
    timeout: 420_000,
  }, async () => {
    const started = Date.now();
    const s = await startFaultStack({
      label: 'redis_full',
      ownRedis: { maxmemory: MAXMEMORY },
      env: {
        REDIS_MEMORY_HIGH_WATER: String(HIGH_WATER),
        // As in production, completed jobs are trimmed (the fault stack keeps them all to read their attempts),
        // and content keys expire: what stays behind a drained backlog must fit under the mark again.
        KEEP_COMPLETED_COUNT: '100',
        CONTENT_DEDUP_SECONDS: '30',
      },
    });
    stack = s;
    const memory = async () => readMemory(await s.connection.info('memory'))?.usedMemory ?? 0;
    let peak = 0;
    const sampler = setInterval(
      () =>
        void memory().then(
          (m) => (peak = Math.max(peak, m)),
          () => {},
        ),
      100,
    );

    const ingress = await s.startIngress();
    const ledger = new Ledger();
    await sendLoad(flood, ledger, { target: () => ingress.url, concurrency: 32 });
    const floodEnded = Date.now();
    const first503 = ledger.records.findIndex((rec) => rec.outcome === 'unavailable');
    expect(first503, 'a 503 before the flood ended').toBeGreaterThan(0);
    const refusals = ledger.records.filter((rec) => rec.outcome === 'unavailable');
    expect(new Set(refusals.map((rec) => rec.detail?.replace(/^\w+: /, ''))), 'why 503').toEqual(
      new Set(['Redis memory is above REDIS_MEMORY_HIGH_WATER: refused until the workers drain the backlog']),
    );
    const ackedInFlood = ledger.count('acked');
    const peakDuringFlood = peak;
    expect(peakDuringFlood).toBeLessThan(MAXMEMORY * 0.6);
    expect(await s.connection.xlen(inboxKeys(s.names).stream)).toBe(ackedInFlood);

    // Workers start on a Redis at the mark; callbacks keep coming (about 50/s), refused until there is room.
    const workersStartedAt = Date.now();
    await Promise.all([s.startWorker(), s.startWorker()]);
    let next = 0;
    const ackedSince = () =>
      ledger.records.filter((rec) => rec.outcome === 'acked' && rec.startedAt >= workersStartedAt);
    const trickle = (async () => {
      while (next < later.length && ackedSince().length < 400) {
        await sendLoad(later.slice(next, next + 2), ledger, {
          target: () => ingress.url,
          concurrency: 2,
          ratePerSecond: 50,
        });
        next += 2;
      }
    })();
    await vi.waitFor(() => expect(ackedSince().length).toBeGreaterThan(0), { timeout: 300_000, interval: 200 });
    const acksResumedAt = Math.min(...ackedSince().map((rec) => rec.endedAt));
    await trickle;
    expect(ackedSince().length, 'acks after the drain (more groups needed?)').toBeGreaterThanOrEqual(400);
    const drainMs = await waitForDrain(s, ledger, 300_000);
    const drainedAt = Date.now();
    clearInterval(sampler);
    const effects = await checkEffects(s, workload, ledger, new Set(), false);

    const summary = ledger.summary();
    const processes = [ingress.process, ...s.workers];
    const unavailable = ledger.records.filter((rec) => rec.outcome === 'unavailable');
    const moverWaits = s.workers.flatMap((w) => w.logLines(MOVER_WAITS));
    writeResults('redis-full', {
      seed: workload.seed,
      maxmemoryBytes: MAXMEMORY,
      highWater: HIGH_WATER,
      callbacksSent: ledger.records.length,
      ...summary,
      ackedBeforeFirst503: first503,
      unavailableInFlood: unavailable.filter((rec) => rec.startedAt <= floodEnded).length,
      unavailableAfterWorkersStarted: unavailable.filter((rec) => rec.startedAt >= workersStartedAt).length,
      peakUsedMemoryBytes: peak,
      peakDuringFloodBytes: peakDuringFlood,
      inboxAtWorkersStart: ackedInFlood,
      moverWaits: moverWaits.length,
      acksResumedAfterWorkersStartMs: acksResumedAt - workersStartedAt,
      drainedAfterWorkersStartMs: drainedAt - workersStartedAt,
      drainAfterLastAckMs: drainMs,
      retryReasons: retryReasons(s),
      ...effects,
      durationMs: Date.now() - started,
    });

    expect({ hung: summary.hung, refused: summary.refused, rejected: summary.rejected }).toEqual({
      hung: 0,
      refused: 0,
      rejected: 0,
    });
    expect(processes.filter((p) => p.running()).length).toBe(processes.length);
    // Redis never refused a write: the movers waited for room instead.
    expect(peak).toBeLessThan(MAXMEMORY);
    expect(processes.flatMap((p) => p.output.filter((line) => line.includes('OOM'))).slice(0, 3)).toEqual([]);
    expect(ingress.process.logLines(INGRESS_RECOVERS).length).toBeGreaterThan(0);
    // This Redis keeps acknowledged callbacks: no start-up warning.
    expect(processes.flatMap((p) => p.output.filter((line) => line.includes('redisSetting')))).toEqual([]);
  });
});
