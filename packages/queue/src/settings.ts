import { env } from '@openim-sync/runtime';
import { z } from 'zod';
import { retryScheduleEnv } from './retry-schedule.js';

/**
 * Environment variables of the queue contract, shared by every process that
 * touches the queue. Apps merge this shape into their own config schema.
 */
export const queueEnv = {
  /** Redis holding the queue. Use a `rediss://` URL for TLS. */
  REDIS_URL: env.url(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
  /** BullMQ queue name of the callbacks; reconcile jobs use `<name>-reconcile` (see reconcileQueueName). */
  QUEUE_NAME: z
    .string()
    .regex(/^[^:]+$/, 'must not contain ":"')
    .default('openim-callbacks'),
  /** BullMQ key prefix; wrap it in braces (`{openim}`) on Redis Cluster so all keys share a slot. */
  QUEUE_PREFIX: z.string().min(1).default('bull'),
  /**
   * Off (0) by default: every receipt is its own event. Above 0, receipts with
   * the same command, operationID and body bytes within this window are
   * merged into one job. Only safe if the App never reuses an operationID
   * (see callbackJobId).
   */
  CONTENT_DEDUP_SECONDS: env.nonNegativeInt(0),
  /**
   * Waits between a job's attempts (`10s,1m,...,10h`, jittered ×0.8–1.2); one
   * attempt more than entries. The default spans ~32 h (see DEFAULT_RETRY_SCHEDULE).
   */
  RETRY_SCHEDULE: retryScheduleEnv(),
  /** Completed jobs kept for inspection and replay: at most this many (0: no cap)... */
  KEEP_COMPLETED_COUNT: env.nonNegativeInt(1000),
  /** ...and none older than this (0: no age limit). */
  KEEP_COMPLETED_AGE_SECONDS: env.nonNegativeInt(3600),
  /** Failed jobs kept for inspection and redrive: at most this many (0, the default: no cap)... */
  KEEP_FAILED_COUNT: env.nonNegativeInt(0),
  /** ...and none older than this (default 14 days; 0: no age limit). Also the rejected stream's. */
  KEEP_FAILED_AGE_SECONDS: env.nonNegativeInt(14 * 24 * 3600),
  /**
   * Priority of high-volume callbacks (messages, presence) so they never delay
   * membership events: those go first; 0 puts everything in one lane.
   */
  HIGH_VOLUME_PRIORITY: env.nonNegativeInt(10),
  /**
   * Window in which repeated presence reports of the same state (OpenIM
   * re-reports online users every ~10 minutes) are coalesced into one job; 0 turns it off.
   */
  PRESENCE_COALESCE_SECONDS: env.nonNegativeInt(900),
} as const;

const QueueEnv = z.object(queueEnv);
export type QueueEnv = z.output<typeof QueueEnv>;

/** How many finished jobs (or rejected entries) are kept: 0 means no limit of that kind, never "none". */
export interface Retention {
  count: number;
  /** Seconds. */
  age: number;
}

/** The queue contract's settings, as both sides use them. */
export interface QueueSettings {
  redisUrl: string;
  name: string;
  prefix: string;
  /** Attempts per job, the first included: one more than retryScheduleMs has entries. */
  attempts: number;
  /** Wait before each retry (RETRY_SCHEDULE), in ms. */
  retryScheduleMs: number[];
  /** Finished jobs kept: `count` newest and `age` seconds; 0 lifts that limit (see keepJobs). */
  keepCompleted: Retention;
  keepFailed: Retention;
  /** Window of content-derived job ids (CONTENT_DEDUP_SECONDS); 0: receipts are never merged. */
  contentDedupMs: number;
  /** 0 or absent: one lane for everything. */
  highVolumePriority?: number;
  /** 0 or absent: presence reports are not coalesced. */
  presenceCoalesceMs?: number;
}

type OptionalQueueEnv = 'HIGH_VOLUME_PRIORITY' | 'PRESENCE_COALESCE_SECONDS' | 'CONTENT_DEDUP_SECONDS';

/** Queue variables as parsed; the routing and deduplication ones may be left out (tests, tools). */
export type QueueSettingsSource = Omit<QueueEnv, OptionalQueueEnv> & Partial<Pick<QueueEnv, OptionalQueueEnv>>;

export function toQueueSettings(config: QueueSettingsSource): QueueSettings {
  return {
    redisUrl: config.REDIS_URL,
    name: config.QUEUE_NAME,
    prefix: config.QUEUE_PREFIX,
    attempts: config.RETRY_SCHEDULE.length + 1,
    retryScheduleMs: config.RETRY_SCHEDULE,
    keepCompleted: { count: config.KEEP_COMPLETED_COUNT, age: config.KEEP_COMPLETED_AGE_SECONDS },
    keepFailed: { count: config.KEEP_FAILED_COUNT, age: config.KEEP_FAILED_AGE_SECONDS },
    contentDedupMs: (config.CONTENT_DEDUP_SECONDS ?? 0) * 1000,
    highVolumePriority: config.HIGH_VOLUME_PRIORITY ?? 0,
    presenceCoalesceMs: (config.PRESENCE_COALESCE_SECONDS ?? 0) * 1000,
  };
}
