import {
  addCallbackJob,
  type CallbackJobData,
  callbackJobId,
  createCallbackQueue,
  createWorkerConnection,
  inboxKeys,
  keepRejected,
  type QueueSettings,
  toQueueSettings,
  workerConnectionOptions,
} from '@openim-sync/queue';
import { deleteQueueKeys, uniqueName } from '@openim-sync/testing';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';

const redisUrl = inject('redisUrl');
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const QUIT = 'callbackAfterQuitGroupCommand';
const DAY = 24 * 3600;

function open(): Redis {
  const connection = createWorkerConnection(redisUrl);
  connection.on('error', () => {});
  cleanup.push(async () => connection.disconnect());
  return connection;
}

function settingsOf(name: string, keep: Partial<Record<'completed' | 'failed', [number, number]>>): QueueSettings {
  const [completedCount, completedAge] = keep.completed ?? [10, 600];
  const [failedCount, failedAge] = keep.failed ?? [10, 600];
  return toQueueSettings({
    REDIS_URL: redisUrl,
    QUEUE_NAME: name,
    QUEUE_PREFIX: name,
    RETRY_SCHEDULE: [100],
    KEEP_COMPLETED_COUNT: completedCount,
    KEEP_COMPLETED_AGE_SECONDS: completedAge,
    KEEP_FAILED_COUNT: failedCount,
    KEEP_FAILED_AGE_SECONDS: failedAge,
  });
}

/** Adds one job per outcome through the queue contract and lets a worker finish them. */
async function finishJobs(settings: QueueSettings, outcomes: Array<'complete' | 'fail'>): Promise<string[]> {
  const queue = createCallbackQueue(settings, open());
  cleanup.push(async () => {
    await queue.close();
    await deleteQueueKeys(redisUrl, settings.name, settings.prefix);
  });
  const ids: string[] = [];
  for (const [i, outcome] of outcomes.entries()) {
    const operationID = `op-${outcome}-${i}`;
    const data: CallbackJobData = {
      command: QUIT,
      operationID,
      receivedAt: Date.now(),
      event: { type: 'group.member.quit', groupID: 'g', userID: `u-${i}` },
      payload: {},
    };
    const id = callbackJobId(QUIT, operationID, Buffer.from(operationID));
    ids.push(id);
    await addCallbackJob(queue, settings, data, id);
  }
  let finished = 0;
  const worker = new Worker<CallbackJobData>(
    settings.name,
    async (job) => {
      if (job.data.operationID.startsWith('op-fail')) throw new UnrecoverableError('bad for good');
    },
    { connection: workerConnectionOptions(redisUrl), prefix: settings.prefix },
  );
  worker.on('completed', () => finished++);
  worker.on('failed', () => finished++);
  worker.on('error', () => {});
  cleanup.push(() => worker.close());
  await vi.waitFor(() => expect(finished).toBe(outcomes.length), { timeout: 10_000 });
  return ids;
}

describe('finished jobs: a 0 lifts a limit, it never deletes', () => {
  it('keeps a failed job with KEEP_FAILED_COUNT=0 (by age alone) and a completed one with KEEP_COMPLETED_COUNT=0', async () => {
    const name = uniqueName('keep0');
    const settings = settingsOf(name, { completed: [0, 3600], failed: [0, 14 * DAY] });
    const [failedId, completedId] = await finishJobs(settings, ['fail', 'complete']);
    const queue = createCallbackQueue(settings, open());
    cleanup.push(() => queue.close());
    expect(await queue.getJobState(failedId as string)).toBe('failed');
    expect(await queue.getJobState(completedId as string)).toBe('completed');
    expect((await queue.getJob(failedId as string))?.failedReason).toBe('bad for good');
  });

  it('still trims by count when a count is set', async () => {
    const name = uniqueName('keep1');
    const settings = settingsOf(name, { failed: [1, 14 * DAY] });
    const ids = await finishJobs(settings, ['fail', 'fail', 'fail']);
    const queue = createCallbackQueue(settings, open());
    cleanup.push(() => queue.close());
    expect((await queue.getFailed()).map((j) => j.id)).toEqual([ids[2]]);
  });
});

describe('the rejected stream: kept by age, and by count only when set', () => {
  const record = (n: number) => ({
    command: QUIT,
    operationID: `op-${n}`,
    receivedAt: Date.now(),
    body: Buffer.from('{}'),
  });

  /** A rejected stream holding `old` entries from two hours ago (more than one stream node's worth). */
  async function withOldEntries(old: number) {
    const redis = open();
    const name = uniqueName('rejected');
    const keys = inboxKeys({ prefix: name, name });
    cleanup.push(() => redis.del(keys.rejected));
    const twoHoursAgo = Date.now() - 2 * 3600_000;
    for (let n = 0; n < old; n++) await redis.xadd(keys.rejected, `${twoHoursAgo}-${n + 1}`, 'reason', 'old');
    return { redis, keys };
  }

  it('drops entries older than KEEP_FAILED_AGE_SECONDS and keeps the new ones, with no count', async () => {
    const { redis, keys } = await withOldEntries(300);
    for (const n of [1, 2, 3]) await keepRejected(redis, keys, { count: 0, age: 3600 }, 'bad', record(n));
    const left = await redis.xrange(keys.rejected, '-', '+');
    const fresh = left.filter(([, fields]) => fields[1] === 'bad');
    expect(fresh).toHaveLength(3);
    // MINID ~ removes whole stream nodes (100 entries each): the last partial node of old ones may stay.
    expect(left.length - fresh.length).toBeLessThan(100);
  });

  it('keeps everything young with neither limit, and the newest `count` with a count', async () => {
    const { redis, keys } = await withOldEntries(0);
    for (const n of [1, 2, 3]) await keepRejected(redis, keys, { count: 0, age: 0 }, 'bad', record(n));
    expect(await redis.xlen(keys.rejected)).toBe(3);
    for (const n of [4, 5]) await keepRejected(redis, keys, { count: 2, age: 3600 }, 'bad', record(n));
    const left = await redis.xrange(keys.rejected, '-', '+');
    expect(left.map(([, fields]) => fields[fields.indexOf('o') + 1])).toEqual(['op-4', 'op-5']);
  });
});
