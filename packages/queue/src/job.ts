// The job catalog: every job the pipeline queues, with its name, its data and the options it is
// added with. Callback jobs go to the callback queue (QUEUE_NAME), one per receipt, named after
// their command; reconcile jobs go to a queue of their own (see reconcileQueueName).
import { createHash, randomUUID } from 'node:crypto';
import type { CallbackEvent } from '@openim-sync/schema';
import type { JobsOptions, KeepJobs } from 'bullmq';
import type { QueueSettings, Retention } from './settings.js';

/** What one queued callback carries from the ingress to the worker. */
export interface CallbackJobData {
  /** Canonical command (also the job name). */
  command: string;
  /** The `operationID` header as OpenIM sent it (may be empty). */
  operationID: string;
  /** When the ingress received the request: ms since the epoch, with µs fractions to keep order (see createReceiveClock). */
  receivedAt: number;
  /** The normalised event the worker applies. */
  event: CallbackEvent;
  /** The body as OpenIM sent it, unknown fields and nulls included. */
  payload: Record<string, unknown>;
  /**
   * The body's exact text, set only when it holds an integer `payload` cannot
   * carry exactly (see exactPayloadText): the HTTP sink forwards this instead.
   */
  payloadText?: string;
}

/** Name of the worker's backoff strategy (RETRY_SCHEDULE with jitter, see retryDelay). */
export const BACKOFF_TYPE = 'jittered';

/**
 * Job id of one receipt of a callback: fixed when the ingress receives it,
 * kept by every later step (the inbox entry carries it, a second move of
 * the entry, a retry and a redrive reuse it), so the sinks apply that
 * receipt once (Postgres records it, the HTTP sink sends it as the
 * Idempotency-Key). Two receipts are two events, whatever their bytes: many
 * App backends call OpenIM's REST API with one fixed operationID, so a
 * user who joins, quits and joins again yields two byte-identical join
 * bodies, and merging them would lose the second join.
 *
 * `contentDedup` (CONTENT_DEDUP_SECONDS > 0, off by default) derives the
 * id from the command, the operationID and the exact body bytes instead,
 * so byte-identical receipts within the window are merged: only for an
 * OpenIM that re-sends callbacks AND an App that never reuses an
 * operationID. A body with an empty operationID always gets a receipt id.
 */
export function callbackJobId(command: string, operationID: string, body: Uint8Array, contentDedup = false): string {
  if (!contentDedup || operationID === '') return `u-${randomUUID()}`;
  const hash = createHash('sha256').update(command).update('\0').update(operationID).update('\0').update(body);
  return `h-${hash.digest('base64url').slice(0, 32)}`;
}

/** True when the id was derived from the content (see {@link callbackJobId}). */
export function isContentJobId(jobId: string): boolean {
  return jobId.startsWith('h-');
}

/** How a job travels: its lane and, for state reports, the key it coalesces on. */
export interface JobRouting {
  /** Messages and presence: processed after everything else that is waiting. */
  highVolume?: boolean;
  /** Jobs with the same key within the coalescing window are added once. */
  coalesceKey?: string;
}

/**
 * Options a callback job is added with. A content-derived id (opt-in, see
 * {@link callbackJobId}) doubles as a BullMQ deduplication id with a TTL: a
 * re-delivery inside the window is not added again, even after the first
 * job completed and was trimmed. A receipt id needs no window: adding it
 * again while the job exists adds nothing, and after that the sinks know it.
 * A state report coalesces on its own key instead (see {@link presenceKeys}).
 */
export function callbackJobOptions(
  settings: QueueSettings,
  jobId: string,
  dedupTtlMs: number,
  routing: JobRouting = {},
): JobsOptions {
  const options: JobsOptions = {
    jobId,
    attempts: settings.attempts,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: keepJobs(settings.keepCompleted),
    removeOnFail: keepJobs(settings.keepFailed),
  };
  if (routing.highVolume && settings.highVolumePriority) options.priority = settings.highVolumePriority;
  if (routing.coalesceKey && settings.presenceCoalesceMs) {
    options.deduplication = { id: routing.coalesceKey, ttl: settings.presenceCoalesceMs };
  } else if (isContentJobId(jobId)) {
    options.deduplication = { id: jobId, ttl: dedupTtlMs };
  }
  return options;
}

/**
 * Coalescing keys of a presence report. OpenIM repeats "online" for users
 * already online; repeats of the same state collapse on `key`. A report of
 * the other state clears `opposite`, so a real change (online → offline →
 * online) always gets through. The projection keeps the newest report by
 * OpenIM's own clock, so neither arrival order nor coalescing can make it
 * go back in time.
 */
export function presenceKeys(event: { userID: string; platformID: number | null; online: boolean }) {
  const base = `presence-${event.userID}-${event.platformID ?? 'any'}`;
  return { key: `${base}-${event.online ? 'on' : 'off'}`, opposite: `${base}-${event.online ? 'off' : 'on'}` };
}

/**
 * BullMQ's `removeOnComplete`/`removeOnFail` for a retention. BullMQ reads
 * `count: 0` as "remove at once" and `age: 0` as "older than now", so a 0
 * here leaves that limit out instead: `KEEP_FAILED_COUNT=0` keeps failed
 * jobs by age alone, and both at 0 keep every job (`false`).
 */
export function keepJobs({ count, age }: Retention): KeepJobs | false {
  if (age > 0) return count > 0 ? { age, count } : { age };
  return count > 0 ? { count } : false;
}

/**
 * A clock for `receivedAt`: wall-clock milliseconds, made strictly increasing
 * within one process by adding microseconds when two callbacks arrive in the
 * same millisecond (or the wall clock steps back). OpenIM's callbacks carry
 * no time of their own, so this order is the one the projection applies:
 * a join and a quit of the same user in the same millisecond stay ordered.
 */
export function createReceiveClock(now: () => number = Date.now): () => number {
  let last = 0;
  return () => {
    const wall = now();
    last = wall > last ? wall : Math.round((last + 0.001) * 1000) / 1000;
    return last;
  };
}

/** Job name of a full reconcile; also the id of its job scheduler. */
export const RECONCILE_ALL = 'reconcile-all';
/** Job name of one group's reconcile. */
export const RECONCILE_GROUP = 'reconcile-group';

/** What each reconcile job carries, by job name. */
export interface ReconcileJobData {
  [RECONCILE_ALL]: Record<string, never>;
  [RECONCILE_GROUP]: { groupID: string };
}

export type ReconcileJobName = keyof ReconcileJobData;

/** True for the jobs the reconciler handles rather than the callback processor. */
export function isReconcileJob(name: string): name is ReconcileJobName {
  return name === RECONCILE_ALL || name === RECONCILE_GROUP;
}

/**
 * The reconcile jobs' queue: `<QUEUE_NAME>-reconcile`, under the same
 * prefix. Apart from the callbacks, so that what operators read about
 * callbacks (`jobs counts`, `jobs failed`, `replay`, the queue gauges, the
 * job counters) holds callbacks only, and a worker runs them at a
 * concurrency of their own.
 */
export function reconcileQueueName(settings: Pick<QueueSettings, 'name'>): string {
  return `${settings.name}-reconcile`;
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
    removeOnComplete: keepJobs(settings.keepCompleted),
    removeOnFail: keepJobs(settings.keepFailed),
  };
}

/** Options of a full reconcile, scheduled or on demand. A failed run is not retried: the next one comes. */
export function reconcileAllJobOptions(settings: QueueSettings): JobsOptions {
  return {
    attempts: 1,
    removeOnComplete: keepJobs(settings.keepCompleted),
    removeOnFail: keepJobs(settings.keepFailed),
  };
}
