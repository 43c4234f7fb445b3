// Reconcile jobs in a queue of their own, as main.ts wires them: the reconcile runtime (its own
// BullMQ Worker) beside a callback worker that routes the callback queue's leftover reconcile jobs.
import {
  createReconcileFixture,
  events,
  logger,
  type ReconcileFixture,
} from '@openim-sync/projection/reconcile-fixture';
import {
  type CallbackJobData,
  type CallbackQueue,
  createCallbackQueue,
  createReconcileQueue,
  createWorkerConnection,
  type QueueSettings,
  queueEnv,
  RECONCILE_ALL,
  RECONCILE_GROUP,
  type ReconcileQueue,
  reconcileGroupJobOptions,
  reconcileQueueName,
  requestReconcileAll,
  toQueueSettings,
  workerConnectionOptions,
} from '@openim-sync/queue';
import { parseEnv } from '@openim-sync/runtime';
import { deleteQueueKeys, testServices, uniqueName } from '@openim-sync/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { routeJobs } from '../src/reconcile/reconcile-processor.js';
import { createReconcileRuntime, type ReconcileRuntime } from '../src/reconcile/reconcile-runtime.js';
import { type CallbackWorker, createCallbackWorker } from '../src/worker.js';

const { redisUrl, databaseUrl } = testServices();
const name = uniqueName('reconcile_queue');
const settings: QueueSettings = toQueueSettings(
  parseEnv(z.object(queueEnv), { REDIS_URL: redisUrl, QUEUE_NAME: name, QUEUE_PREFIX: name, RETRY_SCHEDULE: '1s' }),
);
const T0 = Date.now() - 600_000;
const timing = { lockDurationMs: 30_000, stalledIntervalMs: 30_000, maxStalledCount: 1 };

let f: ReconcileFixture;
const connection = createWorkerConnection(redisUrl);
let callbacks: CallbackQueue;
let reconciles: ReconcileQueue;
let runtime: ReconcileRuntime | undefined;
let worker: CallbackWorker | undefined;
const callbackJobs: string[] = [];

beforeAll(async () => {
  f = await createReconcileFixture('reconcile_queue');
  callbacks = createCallbackQueue(settings, connection);
  reconciles = createReconcileQueue(settings, workerConnectionOptions(redisUrl));
  for (const groupID of ['g-old', 'g-new']) {
    f.fake.group(groupID, [
      { userID: 'o', roleLevel: 100, joinTime: T0 },
      { userID: 'a', joinTime: T0 + 1000 }, // invited: no callback
    ]);
    await f.callback(events.created(groupID, [['o', 100]], T0), T0);
  }
});

afterAll(async () => {
  await worker?.close();
  await runtime?.close();
  await callbacks?.close();
  await reconciles?.close();
  await connection.quit();
  await deleteQueueKeys(redisUrl, settings.prefix, settings.name);
  await deleteQueueKeys(redisUrl, settings.prefix, reconcileQueueName(settings));
  await f?.close();
});

describe('reconcile jobs in their own queue', () => {
  it('upgrade: the old schedule leaves the callback queue; a leftover reconcile job there still runs', async () => {
    // What an older release left in the callback queue: its schedule and a group job not run yet.
    const later = Date.now() + 3_600_000;
    await callbacks.upsertJobScheduler(RECONCILE_ALL, { every: 3_600_000, startDate: later }, { name: RECONCILE_ALL });
    const leftover = { groupID: 'g-old' } as unknown as CallbackJobData;
    await callbacks.add(RECONCILE_GROUP, leftover, reconcileGroupJobOptions(settings, 'g-old', Date.now()));
    expect(await callbacks.getJobSchedulers()).toHaveLength(1);

    const reconcile = {
      openim: { baseUrl: f.fake.url, secret: f.fake.secret, adminUserID: 'imAdmin', timeoutMs: 10_000 },
    };
    const database = { url: databaseUrl, schema: f.schema.name, poolSize: 2, batchMax: 64 };
    runtime = createReconcileRuntime({
      config: { ...timing, database, queue: settings, reconcile: { ...reconcile, intervalMs: 3_600_000 } },
      logger,
      registry: new Registry(),
      connection,
      callbackQueue: callbacks,
    });
    const processor = routeJobs(async (job) => {
      callbackJobs.push(job.name);
      return {};
    }, runtime.processor);
    worker = createCallbackWorker({ config: { ...timing, concurrency: 4, queue: settings }, processor, logger });
    void worker.run();
    await runtime.start();

    expect(await callbacks.getJobSchedulers()).toEqual([]);
    expect(await callbacks.getDelayedCount()).toBe(0);
    expect(await reconciles.getJobSchedulers()).toMatchObject([{ key: RECONCILE_ALL, every: 3_600_000 }]);
    await vi.waitFor(async () => expect(await f.members('g-old')).toEqual(['a:20', 'o:100']), { timeout: 20_000 });
    await vi.waitFor(async () => expect(await callbacks.getCompletedCount()).toBe(1), { timeout: 10_000 });
    expect(callbackJobs).toEqual([]);
  });

  it('a reconcile job, done or failed, never shows in the callback queue', async () => {
    if (!runtime) throw new Error('the runtime starts in the test before');
    const before = await callbacks.getJobCounts();
    await requestReconcileAll(reconciles, settings);
    // A hand-made group job without a group: it fails for good, in the reconcile queue's failed set.
    await reconciles.add(RECONCILE_GROUP, {} as { groupID: string }, { attempts: 1 });

    await vi.waitFor(async () => expect(await f.members('g-new')).toEqual(['a:20', 'o:100']), { timeout: 20_000 });
    await vi.waitFor(async () => expect(await reconciles.getFailedCount()).toBe(1), { timeout: 10_000 });
    const [failed] = await reconciles.getFailed();
    expect(failed?.failedReason).toMatch(/malformed reconcile-group job/);
    await vi.waitFor(async () => expect(await reconciles.getActiveCount()).toBe(0), { timeout: 10_000 });
    expect(await reconciles.getCompletedCount()).toBeGreaterThanOrEqual(2);

    expect(await callbacks.getJobCounts()).toEqual(before);
    expect(await callbacks.getFailed()).toEqual([]);
    expect(callbackJobs).toEqual([]);
  });
});
