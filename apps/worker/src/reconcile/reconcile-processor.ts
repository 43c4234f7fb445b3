import { OpenImAuthError } from '@openim-sync/openim-client';
import type { Reconciler } from '@openim-sync/projection';
import {
  type CallbackJobData,
  enqueueGroupReconciles,
  isReconcileJob,
  type QueueSettings,
  RECONCILE_ALL,
  RECONCILE_GROUP,
  type ReconcileQueueWriter,
} from '@openim-sync/queue';
import type { Logger } from '@openim-sync/runtime';
import { type Job, UnrecoverableError } from 'bullmq';
import type { ProcessorResult } from '../processor.js';
import { unrecoverable } from '../unrecoverable.js';

type Processor = (job: Job<CallbackJobData>) => Promise<ProcessorResult>;

export interface ReconcileProcessorDeps {
  reconciler: Pick<Reconciler, 'reconcileGroup' | 'planAll'>;
  /** The reconcile queue, where `reconcile-all` puts the group jobs. */
  queue: ReconcileQueueWriter;
  settings: QueueSettings;
  logger: Logger;
}

/**
 * Runs the reconcile jobs: `reconcile-all` plans the groups to look at and
 * enqueues one `reconcile-group` job each; `reconcile-group` reconciles one.
 * Refused credentials fail at once (retrying cannot fix a configuration);
 * OpenIM or Postgres being unreachable is retried with backoff.
 */
export function createReconcileProcessor({ reconciler, queue, settings, logger }: ReconcileProcessorDeps) {
  return async function processReconcile(job: Job): Promise<ProcessorResult> {
    try {
      if (job.name === RECONCILE_ALL) {
        const plan = await reconciler.planAll();
        await enqueueGroupReconciles(queue, settings, plan.groupIDs);
        logger.info(
          { jobId: job.id, groups: plan.groupIDs.length, skipped: plan.skipped.length },
          'reconcile: groups enqueued',
        );
        return { reconcile: plan.groupIDs.length > 0 ? 'applied' : 'skipped' };
      }
      const groupID = (job.data as { groupID?: unknown } | undefined)?.groupID;
      if (job.name !== RECONCILE_GROUP || typeof groupID !== 'string' || groupID === '') {
        throw new UnrecoverableError(`malformed ${job.name} job: data needs groupID (a non-empty string)`);
      }
      const result = await reconciler.reconcileGroup(groupID);
      return { reconcile: result.outcome === 'repaired' ? 'applied' : 'skipped' };
    } catch (err) {
      if (err instanceof OpenImAuthError) throw unrecoverable(err.message, err);
      throw err;
    }
  };
}

/**
 * The callback queue's processor: callbacks go to the callback processor,
 * reconcile jobs to `reconcile` (when this worker has OPENIM_API_URL).
 * Reconcile jobs have had a queue of their own since; this handles those an
 * older release left in the callback queue.
 */
export function routeJobs(callbacks: Processor, reconcile: ((job: Job) => Promise<ProcessorResult>) | undefined) {
  return async function processJob(job: Job<CallbackJobData>): Promise<ProcessorResult> {
    if (!isReconcileJob(job.name)) return callbacks(job);
    if (!reconcile) throw new UnrecoverableError(`${job.name}: this worker has no OPENIM_API_URL to reconcile with`);
    return reconcile(job);
  };
}
