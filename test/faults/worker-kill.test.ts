import { setTimeout as delay } from 'node:timers/promises';
import {
  checkEffects,
  createWorkload,
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
import { afterAll, describe, expect, it, vi } from 'vitest';

const KILLS = 4;
const workload = createWorkload(56, 38);

describe(`worker SIGKILL in the middle of processing (seed ${workload.seed})`, () => {
  let stack: Stack | undefined;
  afterAll(() => stack?.close());

  it('loses no acknowledged callback: stalled jobs come back to the new workers', { timeout: 150_000 }, async () => {
    const started = Date.now();
    // 40 ms per forward and 4 jobs per worker: at most 200 jobs/s for two workers, below the
    // send rate, so a backlog builds and every worker always holds active jobs.
    const s = await startFaultStack({
      label: 'worker_kill',
      receiverDelayMs: 40,
      workerEnv: { WORKER_CONCURRENCY: '4' },
    });
    stack = s;
    const [ingress] = await Promise.all([s.startIngress(), s.startWorker(), s.startWorker()]);
    const ledger = new Ledger();
    const loadStarted = Date.now();
    const load = sendLoad(workload.groups, ledger, { target: () => ingress.url, concurrency: 16, ratePerSecond: 250 });

    const kills: Array<{ atMsIntoLoad: number; activeJobs: number; waitingJobs: number }> = [];
    for (let k = 0; k < KILLS; k++) {
      await delay(1000); // spaces the kills out over the load
      const counts = await vi.waitFor(
        async () => {
          const c = await s.queue.getJobCounts('active', 'wait');
          expect(c.active, 'jobs in the middle of processing').toBeGreaterThan(0);
          expect(c.wait, 'a backlog').toBeGreaterThan(0);
          return c;
        },
        { timeout: 20_000, interval: 20 },
      );
      // The oldest live worker: running for a second or more with a backlog, so its 4 slots are busy.
      const victim = s.workers.find((p) => p.running());
      if (!victim) throw new Error('no live worker');
      await victim.stop('SIGKILL');
      kills.push({
        atMsIntoLoad: Date.now() - loadStarted,
        activeJobs: counts.active ?? 0,
        waitingJobs: counts.wait ?? 0,
      });
      await s.startWorker();
    }
    await load;
    const sendMs = Date.now() - started;
    const drainMs = await waitForDrain(s, ledger);
    const effects = await checkEffects(s, workload, ledger);

    expectAllAcked(ledger, workload);
    const stalled = s.workers.flatMap((w) => w.logLines('job stalled (its worker died): back in the queue'));
    // Each killed worker held jobs (checked above), and each of them must have come back.
    expect(stalled.length).toBeGreaterThanOrEqual(KILLS);
    expect(s.workers.filter((p) => p.running())).toHaveLength(2);

    writeResults('worker-kill', {
      ...loadResults(ledger, workload),
      workerKills: kills.length,
      kills,
      stalledJobsRecovered: stalled.length,
      retryReasons: retryReasons(s),
      ...effects,
      sendMs,
      drainAfterLastAckMs: drainMs,
      durationMs: Date.now() - started,
    });
  });
});
