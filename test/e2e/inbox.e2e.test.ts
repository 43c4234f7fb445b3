import { createWorkerConnection, INBOX_GROUP, inboxKeys } from '@openim-sync/queue';
import {
  checkEffects,
  createWorkload,
  expectAllAcked,
  Ledger,
  type Stack,
  sendLoad,
  startFaultStack,
  testServices,
  waitForDrain,
} from '@openim-sync/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';

describe('inbox mode end to end', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('keeps what was acknowledged without a worker in the inbox; a worker started later applies all of it', async () => {
    const workload = createWorkload(6, 20);
    const s = await startFaultStack({
      label: 'inbox_e2e',
      // Several batches for the whole inbox.
      workerEnv: { INBOX_BATCH_MAX: '16' },
    });
    stack = s;
    const ingress = await s.startIngress();
    const ledger = new Ledger();
    await sendLoad(workload.groups, ledger, { target: () => ingress.url, concurrency: 3 });
    expectAllAcked(ledger, workload);

    // No worker runs: every acknowledged callback waits in the inbox, none in the queue.
    expect(await s.connection.xlen(inboxKeys(s.names).stream)).toBe(workload.all.length);
    expect(await s.queue.getJobCounts()).toMatchObject({ waiting: 0, prioritized: 0, active: 0, completed: 0 });

    const worker = await s.startWorker();
    await waitForDrain(s, ledger, 60_000);
    await vi.waitFor(async () => expect(await s.connection.xlen(inboxKeys(s.names).stream)).toBe(0), {
      timeout: 10_000,
      interval: 200,
    });
    const effects = await checkEffects(s, workload, ledger);
    expect(effects).toMatchObject({
      applied: workload.all.length,
      completed: workload.all.length,
      failed: 0,
      appliedNotAcked: 0,
    });

    const redis = createWorkerConnection(testServices().redisUrl);
    try {
      const keys = inboxKeys({ prefix: s.queue.opts.prefix ?? '', name: s.queue.name });
      const [pending] = (await redis.xpending(keys.stream, INBOX_GROUP)) as [number];
      expect({ pending, rejected: await redis.xlen(keys.rejected) }).toEqual({ pending: 0, rejected: 0 });
    } finally {
      redis.disconnect();
    }
    const errors = worker.output.filter((line) => line.startsWith('{') && Number(JSON.parse(line).level) >= 50);
    expect(errors).toEqual([]);
    expect(await worker.stop('SIGTERM')).toBe(0);
  }, 120_000);
});
