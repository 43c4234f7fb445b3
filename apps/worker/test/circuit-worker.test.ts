import {
  addCallbackJob,
  type CallbackJobData,
  callbackJobId,
  createAdminConnection,
  createCallbackQueue,
  toQueueSettings,
} from '@openim-sync/queue';
import { createLogger } from '@openim-sync/runtime';
import { deleteQueueKeys, uniqueName } from '@openim-sync/testing';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { SinkCircuitOpenError } from '../src/circuit-breaker.js';
import { createCallbackWorker } from '../src/worker.js';

const redisUrl = inject('redisUrl');
const logger = createLogger({ name: 'test', level: 'silent' });
const QUIT = 'callbackAfterQuitGroupCommand';

describe('a job held back by an open circuit (real Redis, real BullMQ worker)', () => {
  const name = uniqueName('circuit');
  const settings = toQueueSettings({
    REDIS_URL: redisUrl,
    QUEUE_NAME: name,
    QUEUE_PREFIX: name,
    RETRY_SCHEDULE: [100, 100],
    KEEP_COMPLETED_COUNT: 10,
    KEEP_COMPLETED_AGE_SECONDS: 600,
    KEEP_FAILED_COUNT: 10,
    KEEP_FAILED_AGE_SECONDS: 600,
  });
  const connection = createAdminConnection(redisUrl);
  const queue = createCallbackQueue(settings, connection);
  afterAll(async () => {
    await queue.close();
    connection.disconnect();
    await deleteQueueKeys(redisUrl, name, name);
  });

  it('waits in the queue, spends no attempt and is not tried again until the wait is over', async () => {
    const jobId = callbackJobId(QUIT, 'op-1', Buffer.from('op-1'));
    const data: CallbackJobData = {
      command: QUIT,
      operationID: 'op-1',
      receivedAt: Date.now(),
      event: { type: 'group.member.quit', groupID: 'g', userID: 'u' },
      payload: {},
    };
    await addCallbackJob(queue, settings, data, jobId);
    const openUntil = Date.now() + 1500;
    const calls: number[] = [];
    const worker = createCallbackWorker({
      config: {
        concurrency: 4,
        lockDurationMs: 30_000,
        stalledIntervalMs: 30_000,
        maxStalledCount: 1,
        queue: settings,
      },
      logger,
      processor: async () => {
        calls.push(Date.now());
        const waitMs = openUntil - Date.now();
        if (waitMs > 0) throw new SinkCircuitOpenError('http', Math.min(waitMs, 500));
        return {};
      },
    });
    const failed: string[] = [];
    worker.on('failed', (job) => failed.push(job?.id ?? ''));
    worker.on('error', () => {});
    void worker.run();
    try {
      await vi.waitFor(async () => expect(await queue.getJobState(jobId)).toBe('completed'), { timeout: 15_000 });
    } finally {
      await worker.close();
    }
    const job = await queue.getJob(jobId);
    // One attempt, the one that ran: the held-back runs were given back to the queue, not failed.
    expect(job?.attemptsMade).toBe(1);
    expect(failed).toEqual([]);
    // Each hold-back pauses the worker for its wait (500 ms at most here): a handful of runs in 1.5 s, not a loop.
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.length).toBeLessThanOrEqual(6);
  });
});
