import {
  checkEffects,
  createWorkload,
  doublingSchedule,
  expectAllAcked,
  Ledger,
  loadResults,
  retryReasons,
  type Stack,
  sendLoad,
  startFaultStack,
  waitForDrain,
  writeResults,
} from '@openim-sync/testing';
import type { Job } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';

const workload = createWorkload(56, 38);
// Every 80th callback is one the App rejects for good (422), spread over groups and time.
const poison = new Set(workload.all.filter((_, i) => i % 80 === 40).map((c) => c.operationID));

describe(`poison events (seed ${workload.seed})`, () => {
  let stack: Stack | undefined;
  afterAll(() => stack?.close());

  it('fail at once into the failed set and hold up no other job', { timeout: 150_000 }, async () => {
    const started = Date.now();
    // A retried poison would take minutes here (waits from 2 s, 20 attempts): "at once" is visible.
    const s = await startFaultStack({
      label: 'poison',
      env: { RETRY_SCHEDULE: doublingSchedule(2000, 19, 600_000) },
      // Longer locks than elsewhere: nothing here may stall, so every attempt count is exact.
      workerEnv: { LOCK_DURATION_MS: '30000', STALLED_INTERVAL_MS: '5000' },
    });
    stack = s;
    s.receiver.answer = ({ body }) =>
      poison.has(body.operationID) ? { status: 422, body: '{"error":"this event can never be accepted"}' } : 200;
    const [ingress] = await Promise.all([s.startIngress(), s.startWorker(), s.startWorker()]);
    const ledger = new Ledger();
    await sendLoad(workload.groups, ledger, { target: () => ingress.url, concurrency: 16, ratePerSecond: 250 });
    const sendMs = Date.now() - started;
    const drainMs = await waitForDrain(s, ledger);
    const effects = await checkEffects(s, workload, ledger, poison);

    expectAllAcked(ledger, workload);
    const [failed, completed] = await Promise.all([s.queue.getFailed(0, -1), s.queue.getCompleted(0, -1)]);
    expect(failed.length).toBe(poison.size);
    for (const job of failed) {
      expect(job.attemptsMade, job.id).toBe(1);
      expect(job.failedReason).toMatch(/^http sink: forward target answered 422: \{"error":"this event can never/);
    }
    // No other job failed because of the poison ones (a rare transient forward error on this
    // loaded machine is retried and reported, not a failure of the test).
    const reasons = retryReasons(s);
    expect(Object.keys(reasons).filter((r) => !/unreachable|no answer/.test(r))).toEqual([]);
    const groupOf = new Map(workload.all.map((c) => [c.operationID, c.groupID]));
    const poisonGroups = new Set(workload.all.filter((c) => poison.has(c.operationID)).map((c) => c.groupID));
    const inPoisonGroups = completed.filter((j) => poisonGroups.has(groupOf.get(j.data.operationID) ?? ''));
    const elsewhere = completed.filter((j) => !poisonGroups.has(groupOf.get(j.data.operationID) ?? ''));
    const poisonLatency = stats(failed);
    const sameGroupLatency = stats(inPoisonGroups);
    const otherLatency = stats(elsewhere);
    // Queue latency of the other jobs in the poison events' groups is that of the rest (same
    // order of magnitude, not the seconds a retry or a blocked group would add).
    expect(sameGroupLatency.p95).toBeLessThan(otherLatency.p95 * 2 + 1000);
    expect(poisonLatency.max).toBeLessThan(otherLatency.max + 1000);

    writeResults('poison', {
      ...loadResults(ledger, workload),
      poisonEvents: poison.size,
      poisonGroups: poisonGroups.size,
      poisonAttemptsMade: [...new Set(failed.map((j) => j.attemptsMade))],
      poisonFailedReason: failed[0]?.failedReason,
      otherJobsRetried: completed.filter((j) => j.attemptsMade > 1).length,
      retryReasons: reasons,
      queueLatencyMs: { poison: poisonLatency, sameGroupOthers: sameGroupLatency, otherGroups: otherLatency },
      ...effects,
      sendMs,
      drainAfterLastAckMs: drainMs,
      durationMs: Date.now() - started,
    });
  });
});

/** Time from enqueue to finished (ms) over some jobs: median, 95th percentile, max. */
function stats(jobs: Job[]): { jobs: number; p50: number; p95: number; max: number } {
  const ms = jobs.map((j) => (j.finishedOn ?? Number.NaN) - j.timestamp).sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? Number.NaN;
  return { jobs: ms.length, p50: at(0.5), p95: at(0.95), max: at(1) };
}
