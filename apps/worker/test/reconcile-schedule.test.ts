import {
  createReconcileFixture,
  events,
  logger,
  type ReconcileFixture,
} from '@openim-sync/projection/reconcile-fixture';
import {
  createReconcileQueue,
  type QueueSettings,
  queueEnv,
  RECONCILE_ALL,
  type ReconcileQueue,
  reconcileQueueName,
  requestReconcileAll,
  scheduleReconcileAll,
  toQueueSettings,
  workerConnectionOptions,
} from '@openim-sync/queue';
import { parseEnv } from '@openim-sync/runtime';
import { deleteQueueKeys, testServices, uniqueName } from '@openim-sync/testing';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createReconcileProcessor } from '../src/reconcile/reconcile-processor.js';
import { type CallbackWorker, createCallbackWorker } from '../src/worker.js';

const { redisUrl } = testServices();
const name = uniqueName('reconcile_schedule');
const settings: QueueSettings = toQueueSettings(
  parseEnv(z.object(queueEnv), { REDIS_URL: redisUrl, QUEUE_NAME: name, QUEUE_PREFIX: name, RETRY_SCHEDULE: '1s' }),
);
const T0 = Date.now() - 600_000;

let f: ReconcileFixture;
const queues: ReconcileQueue[] = [];
const workers: CallbackWorker[] = [];
/** Every reconcile job a worker ran: its id, name, group and outcome. */
const runs: Array<{ worker: number; id: string; name: string; outcome: string }> = [];

/** A worker's reconcile side as the reconcile runtime builds it: its own queue handle and worker. */
function startWorker(index: number) {
  const queue = createReconcileQueue(settings, workerConnectionOptions(redisUrl));
  queues.push(queue);
  const reconcile = createReconcileProcessor({ reconciler: f.reconciler, queue, settings, logger });
  const processor = async (job: Job) => {
    const result = await reconcile(job);
    runs.push({ worker: index, id: job.id ?? '', name: job.name, outcome: result.reconcile ?? '' });
    return result;
  };
  const config = { concurrency: 4, lockDurationMs: 30_000, stalledIntervalMs: 30_000, maxStalledCount: 1 };
  const worker = createCallbackWorker({
    config: { ...config, queue: settings },
    queueName: reconcileQueueName(settings),
    processor,
    logger,
  });
  workers.push(worker);
  void worker.run();
  return queue;
}

beforeAll(async () => {
  f = await createReconcileFixture('reconcile_schedule');
  f.fake.group('g1', [
    { userID: 'o', roleLevel: 100, joinTime: T0 },
    { userID: 'a', joinTime: T0 + 1000 }, // invited: no callback
  ]);
  await f.callback(events.created('g1', [['o', 100]], T0), T0);
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await Promise.all(queues.map((q) => q.close()));
  await deleteQueueKeys(redisUrl, settings.prefix, reconcileQueueName(settings));
  await f?.close();
});

describe('reconcile jobs in the workers', () => {
  it('run on demand, then once per interval however many workers keep the schedule', async () => {
    const [first, second] = [startWorker(1), startWorker(2)];
    await requestReconcileAll(first, settings);
    await vi.waitFor(() => expect(runs.filter((r) => r.name === 'reconcile-group')).toHaveLength(1), {
      timeout: 20_000,
      interval: 50,
    });
    expect(await f.members('g1')).toEqual(['a:20', 'o:100']);

    // Both workers put the schedule in place, as every worker process does at start.
    await Promise.all([scheduleReconcileAll(first, settings, 1000), scheduleReconcileAll(second, settings, 1000)]);
    expect(await first.getJobSchedulers()).toHaveLength(1);
    const scheduled = () => runs.filter((r) => r.id.startsWith(`repeat:${RECONCILE_ALL}:`));
    const started = Date.now();
    await vi.waitFor(() => expect(scheduled().length).toBeGreaterThanOrEqual(4), { timeout: 30_000, interval: 50 });
    const elapsed = Date.now() - started;

    // One job per slot: the scheduled times are distinct multiples of the interval, never two at once.
    const slots = scheduled().map((r) => Number(r.id.split(':').at(-1)));
    expect(new Set(slots).size).toBe(slots.length);
    const sortedSlots = [...slots].sort((a, b) => a - b);
    for (let i = 1; i < sortedSlots.length; i++) {
      expect((sortedSlots[i] as number) - (sortedSlots[i - 1] as number)).toBe(1000);
    }
    expect(slots.length).toBeLessThanOrEqual(Math.ceil(elapsed / 1000) + 2);
    // g1 was repaired once; the scheduled runs skipped it (its count and hash did not change).
    expect(runs.filter((r) => r.name === 'reconcile-group' && r.outcome === 'applied')).toHaveLength(1);

    await scheduleReconcileAll(second, settings, 0);
    expect(await first.getJobSchedulers()).toEqual([]);
  });
});
