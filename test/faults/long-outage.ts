import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_RETRY_SCHEDULE } from '@openim-sync/queue';
import {
  checkEffects,
  createWorkload,
  expectAllAcked,
  Ledger,
  loadResults,
  retryReasons,
  type Stack,
  type StackOptions,
  sendLoad,
  startFaultStack,
  waitForDrain,
} from '@openim-sync/testing';
import { expect, vi } from 'vitest';

/**
 * Longer than the two minutes 8 attempts from a 1 s base (the old defaults) gave a job, and not a
 * multiple of the 30 s cool-down, so the recovery waits for a probe as it would in the field.
 */
export const LONG_OUTAGE_MS = 160_000;
/** Callbacks per second during the whole run, outage included. */
const RATE = 15;

export interface LongOutage {
  down(stack: Stack): void | Promise<void>;
  up(stack: Stack): void | Promise<void>;
  /** True once the sink has taken work again after `up` (a delivery, a new applied event). */
  flowing(stack: Stack): Promise<boolean>;
}

/**
 * Sends callbacks for the whole run (before, during and after the outage) at
 * RATE per second, takes the sink down for LONG_OUTAGE_MS after the first
 * ~15 s, and checks the end state as every fault test does: each
 * acknowledged callback applied and delivered once settled, nothing in the
 * failed set. The workers run the shipped defaults of RETRY_SCHEDULE and the
 * sink circuit breaker, so the test shows what a deployment would do.
 */
export async function runLongOutage(options: StackOptions, outage: LongOutage, onStack: (stack: Stack) => void) {
  const started = Date.now();
  // ~3,000 callbacks: about 200 s of sending at RATE, so callbacks keep coming all through the outage.
  const workload = createWorkload(60, 50);
  const s = await startFaultStack({ ...options, env: { RETRY_SCHEDULE: DEFAULT_RETRY_SCHEDULE, ...options.env } });
  onStack(s);
  const [ingress] = await Promise.all([s.startIngress(), s.startWorker(), s.startWorker()]);
  const ledger = new Ledger();
  const load = sendLoad(workload.groups, ledger, { target: () => ingress.url, concurrency: 8, ratePerSecond: RATE });
  await vi.waitFor(() => expect(ledger.count('acked')).toBeGreaterThan(RATE * 15), { timeout: 60_000, interval: 50 });

  const ackedBefore = ledger.count('acked');
  const downAt = Date.now();
  await outage.down(s);
  await delay(LONG_OUTAGE_MS);
  const ackedDuringOutage = ledger.count('acked') - ackedBefore;
  const upAt = Date.now();
  await outage.up(s);
  // The backlog flows again within a minute: the cool-down (30 s by default) plus one probe.
  await vi.waitFor(async () => expect(await outage.flowing(s)).toBe(true), { timeout: 60_000, interval: 250 });
  const flowingAfterMs = Date.now() - upAt;

  const circuitLog = () =>
    s.workers.flatMap((w, worker) =>
      w.output
        .filter((line) => line.includes('"msg":"sink '))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .map(({ time, msg, sink, waitMs, openForMs }) => ({ worker, time, msg, sink, waitMs, openForMs })),
    );
  const crashed = s.workers.filter((w) => !w.running()).map((w) => w.output.slice(-8).join('\n'));
  expect(crashed, 'workers that died during the outage').toEqual([]);
  await load;
  const drainMs = await waitForDrain(s, ledger, 240_000);
  const drainedAfterRecoveryMs = Date.now() - upAt;
  const effects = await checkEffects(s, workload, ledger);
  expectAllAcked(ledger, workload);
  expect(await s.queue.getFailedCount(), 'jobs in the failed set').toBe(0);
  // Waiting out the outage spends no attempts: only the few jobs that met the failing sink before
  // the circuit opened, and the probes, were retried (once or twice each).
  expect(effects.maxAttemptsMade, 'most attempts any job made').toBeLessThanOrEqual(4);

  const opened = s.workers.flatMap((w) => w.logLines('sink circuit open: its jobs wait, one probes it after the wait'));
  const closed = s.workers.flatMap((w) => w.logLines('sink circuit closed: its jobs flow again'));
  const probesFailed = s.workers.flatMap((w) => w.logLines('sink probe failed: circuit stays open'));
  expect(opened.length, 'circuits opened (one per worker)').toBeGreaterThanOrEqual(1);
  expect(closed.length, 'circuits closed after the recovery').toBe(opened.length);
  return {
    ...loadResults(ledger, workload),
    ackedDuringOutage,
    outageMs: upAt - downAt,
    circuitsOpened: opened.length,
    circuitsClosed: closed.length,
    probesFailed: probesFailed.length,
    flowingAfterRecoveryMs: flowingAfterMs,
    drainedAfterRecoveryMs,
    drainAfterLastAckMs: drainMs,
    failedAttemptReasons: retryReasons(s),
    circuitLog: circuitLog(),
    ...effects,
    durationMs: Date.now() - started,
    downAt,
    upAt,
  };
}
