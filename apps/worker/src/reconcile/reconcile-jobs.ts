import { BACKOFF_TYPE, type QueueSettings } from '@openim-sync/queue';
import type { JobsOptions, Queue } from 'bullmq';

/** Job name of a full reconcile; also the id of its job scheduler. */
export const RECONCILE_ALL = 'reconcile-all';
/** Job name of one group's reconcile. */
export const RECONCILE_GROUP = 'reconcile-group';

export interface ReconcileGroupJobData {
  groupID: string;
}

/** The queue's add side as the reconcile jobs use it (a BullMQ Queue has it). */
export type ReconcileQueue = Pick<Queue, 'addBulk' | 'add' | 'upsertJobScheduler' | 'removeJobScheduler'>;

/** True for the jobs the reconciler handles rather than the callback processor. */
export function isReconcileJob(name: string): boolean {
  return name === RECONCILE_ALL || name === RECONCILE_GROUP;
}

/**
 * Options of one group's reconcile job. One per group in flight: BullMQ
 * ignores an add whose deduplication id belongs to a job still waiting,
 * delayed (for a retry) or active, and frees the id when that job completes
 * or fails for good. A fixed job id would do the first half, but BullMQ
 * also ignores an add whose id is still in the completed or failed set, so
 * a kept job would block that group's next scheduled reconcile.
 */
export function reconcileGroupJobOptions(settings: QueueSettings, groupID: string, at: number): JobsOptions {
  return {
    jobId: `reconcile-${groupID.replaceAll(':', '_')}-${at}`,
    deduplication: { id: `reconcile-${groupID}` },
    attempts: settings.attempts,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: settings.keepCompleted,
    removeOnFail: settings.keepFailed,
  };
}

/** Jobs added per round trip. */
const CHUNK = 500;

/** Adds one reconcile job per group (those already in flight are left as they are). */
export async function enqueueGroupReconciles(
  queue: ReconcileQueue,
  settings: QueueSettings,
  groupIDs: readonly string[],
  now = Date.now,
): Promise<void> {
  for (let start = 0; start < groupIDs.length; start += CHUNK) {
    const at = now();
    await queue.addBulk(
      groupIDs.slice(start, start + CHUNK).map((groupID) => ({
        name: RECONCILE_GROUP,
        data: { groupID } satisfies ReconcileGroupJobData,
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
export async function scheduleReconcileAll(queue: ReconcileQueue, settings: QueueSettings, intervalMs: number) {
  if (intervalMs <= 0) {
    await queue.removeJobScheduler(RECONCILE_ALL);
    return;
  }
  await queue.upsertJobScheduler(
    RECONCILE_ALL,
    { every: intervalMs },
    {
      name: RECONCILE_ALL,
      data: {},
      // A failed run is not retried: the next one comes within the interval.
      opts: { attempts: 1, removeOnComplete: settings.keepCompleted, removeOnFail: settings.keepFailed },
    },
  );
}

/** Asks the workers for a full reconcile now (on demand, next to the schedule). */
export async function requestReconcileAll(queue: ReconcileQueue, now = Date.now): Promise<void> {
  await queue.add(RECONCILE_ALL, {}, { jobId: `reconcile-all-${now()}`, attempts: 1 });
}
