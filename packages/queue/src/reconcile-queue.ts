import { type ConnectionOptions, Queue } from 'bullmq';
import {
  RECONCILE_ALL,
  RECONCILE_GROUP,
  type ReconcileJobData,
  reconcileAllJobOptions,
  reconcileGroupJobOptions,
  reconcileQueueName,
} from './job.js';
import type { QueueSettings } from './settings.js';

/** A handle on the reconcile queue (see reconcileQueueName). */
export type ReconcileQueue = Queue<ReconcileJobData[keyof ReconcileJobData], unknown, keyof ReconcileJobData>;

/** What adding and scheduling reconcile jobs needs of the queue (a BullMQ Queue has it). */
export type ReconcileQueueWriter = Pick<Queue, 'addBulk' | 'add' | 'upsertJobScheduler' | 'removeJobScheduler'>;

/** The reconcile queue; `connection` as BullMQ takes it (options, or a connection the caller closes). */
export function createReconcileQueue(settings: QueueSettings, connection: ConnectionOptions): ReconcileQueue {
  return new Queue(reconcileQueueName(settings), { connection, prefix: settings.prefix });
}

/** Jobs added per round trip. */
const CHUNK = 500;

/** Adds one reconcile job per group (those already in flight are left as they are). */
export async function enqueueGroupReconciles(
  queue: ReconcileQueueWriter,
  settings: QueueSettings,
  groupIDs: readonly string[],
  now = Date.now,
): Promise<void> {
  for (let start = 0; start < groupIDs.length; start += CHUNK) {
    const at = now();
    await queue.addBulk(
      groupIDs.slice(start, start + CHUNK).map((groupID) => ({
        name: RECONCILE_GROUP,
        data: { groupID } satisfies ReconcileJobData[typeof RECONCILE_GROUP],
        opts: reconcileGroupJobOptions(settings, groupID, at),
      })),
    );
  }
}

/**
 * Runs a full reconcile every `intervalMs` through BullMQ's job scheduler:
 * one schedule in Redis however many workers upsert it (an upsert with the
 * same interval keeps the next run), each run a job that one worker takes.
 * `0` removes the schedule, so turning it off takes effect.
 */
export async function scheduleReconcileAll(queue: ReconcileQueueWriter, settings: QueueSettings, intervalMs: number) {
  if (intervalMs <= 0) {
    await queue.removeJobScheduler(RECONCILE_ALL);
    return;
  }
  const template = { name: RECONCILE_ALL, data: {}, opts: reconcileAllJobOptions(settings) };
  await queue.upsertJobScheduler(RECONCILE_ALL, { every: intervalMs }, template);
}

/** Asks the workers for a full reconcile now (on demand, next to the schedule). */
export async function requestReconcileAll(queue: ReconcileQueueWriter, settings: QueueSettings, now = Date.now) {
  await queue.add(RECONCILE_ALL, {}, { ...reconcileAllJobOptions(settings), jobId: `reconcile-all-${now()}` });
}

/**
 * Upgrade from the releases that queued reconcile jobs with the callbacks:
 * removes their schedule (and its next run) from the callback queue. True
 * when there was one. Reconcile jobs still waiting there run where they are.
 */
export function removeLegacyReconcileSchedule(callbackQueue: Pick<Queue, 'removeJobScheduler'>): Promise<boolean> {
  return callbackQueue.removeJobScheduler(RECONCILE_ALL);
}
