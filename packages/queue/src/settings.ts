import { env } from '@openim-sync/runtime';
import { z } from 'zod';
import { retryScheduleEnv } from './retry-schedule.js';

/**
 * Environment variables of the queue contract, shared by every process that
 * touches the queue. Apps merge this shape into their own config schema.
 */
export const queueEnv = {
  REDIS_URL: env.url(['redis', 'rediss']).default('redis://127.0.0.1:6379').meta({
    description: 'Redis holding the queue: `rediss://` for TLS, `redis://:password@host:6379` with a password.',
  }),
  QUEUE_NAME: z
    .string()
    .regex(/^[^:]+$/, 'must not contain ":"')
    .default('openim-callbacks')
    .meta({ description: 'BullMQ queue name (no `:`); reconcile jobs use their own queue, `<QUEUE_NAME>-reconcile`.' }),
  QUEUE_PREFIX: z.string().min(1).default('bull').meta({
    description: 'BullMQ key prefix; on Redis Cluster wrap it in braces (`{openim}`) so all keys share one slot.',
  }),
  CONTENT_DEDUP_SECONDS: env.nonNegativeInt(0).meta({
    description:
      'Off (0): every request is its own event. Above 0, requests with the same command, operationID and body ' +
      'within this many seconds are merged into one job; only safe if the App never reuses an operationID ' +
      '(docs/RELIABILITY.md, "Guarantees").',
  }),
  RETRY_SCHEDULE: retryScheduleEnv().meta({
    description:
      "Waits between a job's attempts (`10s`, `5m`, `2h`...; each jittered ×0.8–1.2); one attempt more than " +
      'waits. The default spans ~32 h, so a job outlives a day-long outage of a sink; jobs held back by an ' +
      'open sink circuit spend none of them.',
  }),
  KEEP_COMPLETED_COUNT: env.nonNegativeInt(1000).meta({
    description: 'Completed jobs kept for inspection and replay: at most this many (0: no cap).',
  }),
  KEEP_COMPLETED_AGE_SECONDS: env.nonNegativeInt(3600).meta({
    description: 'Completed jobs older than this many seconds are dropped (0: no age limit).',
  }),
  KEEP_FAILED_COUNT: env.nonNegativeInt(0).meta({
    description: 'Failed jobs kept for inspection and redrive: at most this many (0: no cap, kept by age alone).',
  }),
  KEEP_FAILED_AGE_SECONDS: env.nonNegativeInt(14 * 24 * 3600).meta({
    description:
      "Failed jobs older than this many seconds (14 days) are dropped (0: no age limit); the inbox's rejected " +
      'stream is kept the same way.',
  }),
  HIGH_VOLUME_PRIORITY: env.nonNegativeInt(10).meta({
    description:
      'BullMQ priority of high-volume callbacks (messages, presence), so membership events go first; 0: one lane.',
  }),
  PRESENCE_COALESCE_SECONDS: env.nonNegativeInt(900).meta({
    description:
      'Seconds in which repeated presence reports of one state (OpenIM re-reports online users every ~10 ' +
      'minutes) are coalesced into one job; 0: off.',
  }),
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
