import {
  checkReconcileEnv,
  databaseEnv,
  type ReconcileConfig,
  reconcileEnv,
  toDatabaseConfig,
  toReconcileConfig,
} from '@openim-sync/projection';
import { type QueueSettings, queueEnv, toQueueSettings } from '@openim-sync/queue';
import { env, parseEnv } from '@openim-sync/runtime';
import { z } from 'zod';
import type { BreakerSettings } from './circuit-breaker.js';
import { checkMetricsEnv, type MetricsConfig, metricsEnv, toMetricsConfig } from './metrics/metrics-config.js';

export const SINK_NAMES = ['postgres', 'http', 'log', 'noop'] as const;
export type SinkName = (typeof SINK_NAMES)[number];

export const WorkerEnv = z
  .object({
    ...queueEnv,
    ...metricsEnv,
    // DATABASE_URL, DATABASE_SCHEMA: the projection's Postgres (the postgres sink, reconciliation).
    ...databaseEnv,
    // OPENIM_API_URL, OPENIM_ADMIN_SECRET, OPENIM_ADMIN_USER_ID, OPENIM_TIMEOUT_MS, RECONCILE_INTERVAL.
    ...reconcileEnv,
    /** Jobs one process handles at once; the work is I/O-bound (Postgres, HTTP), so well above the core count. */
    WORKER_CONCURRENCY: env.positiveInt(32),
    /** Where events go, in order: any of postgres, http, log (noop: for benchmarks). */
    SINKS: env
      .list()
      .pipe(z.array(z.enum(SINK_NAMES)).min(1, 'name at least one sink'))
      .transform((names) => [...new Set(names)])
      .default(['postgres']),
    /**
     * Connections in the worker's Postgres pool: the postgres sink's transactions in flight. Each
     * carries every event that waited for it (group commit), so a few serve WORKER_CONCURRENCY
     * jobs; more make smaller batches (measured on 2 cores: 4 drained ~40 % more than 10).
     */
    DATABASE_POOL_SIZE: env.positiveInt(4),
    /**
     * Most events the postgres sink applies in one transaction. Batches form only while every
     * pooled connection is busy (group commit), so this bounds their size under load.
     */
    POSTGRES_BATCH_MAX: env.positiveInt(64),
    /** The App's endpoint that receives each event as JSON (http sink). */
    FORWARD_URL: env.url(['http', 'https']).optional(),
    /**
     * Retryable failures of one sink in a row (a 5xx, a timeout, a refused connection) after which
     * the worker stops taking jobs for it: they wait, attempts untouched, while one job at a time
     * probes the sink.
     */
    SINK_BREAKER_THRESHOLD: env.positiveInt(5),
    /** How long an open sink circuit holds its jobs back before the next probe (longer if the App sends Retry-After). */
    SINK_BREAKER_COOLDOWN_MS: env.positiveInt(30_000),
    /** Time the App's endpoint has to answer before the attempt counts as failed and is retried. */
    FORWARD_TIMEOUT_MS: env.positiveInt(5000),
    /** Sent as the Authorization header to the App's endpoint; never logged. */
    FORWARD_AUTHORIZATION: z.string().optional(),
    /** Most inbox entries one worker moves into the queue at once. */
    INBOX_BATCH_MAX: env.positiveInt(100),
    /** An inbox entry a worker read but did not move for this long is taken over by another (its worker died). */
    INBOX_CLAIM_IDLE_MS: env.positiveInt(15_000),
    /** How long a worker's lock on a job lasts without renewal; a crashed worker's jobs come back after it. */
    LOCK_DURATION_MS: env.positiveInt(30_000),
    /** How often workers look for jobs whose worker died (stalled). */
    STALLED_INTERVAL_MS: env.positiveInt(30_000),
    /** Times a job may stall (its worker died mid-job) before it is failed. */
    MAX_STALLED_COUNT: env.nonNegativeInt(5),
    /** How long shutdown waits for active jobs before exiting; unfinished ones are retried by other workers. */
    SHUTDOWN_TIMEOUT_MS: env.positiveInt(30_000),
    LOG_LEVEL: env.logLevel(),
  })
  .superRefine((e, ctx) => {
    checkMetricsEnv(e, ctx);
    checkReconcileEnv(e, ctx);
    if (e.SINKS.includes('http') && !e.FORWARD_URL) {
      ctx.addIssue({ code: 'custom', path: ['FORWARD_URL'], message: 'required when SINKS includes http' });
    }
  });

export interface WorkerConfig {
  concurrency: number;
  sinks: SinkName[];
  database: { url: string; schema: string; poolSize: number; batchMax: number };
  forward: { url: string | undefined; timeoutMs: number; authorization: string | undefined };
  inbox: { batchMax: number; claimIdleMs: number };
  /** Each sink's circuit breaker. */
  breaker: BreakerSettings;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  shutdownTimeoutMs: number;
  logLevel: string;
  queue: QueueSettings;
  /** The metrics and health listener; undefined when METRICS_PORT is 0. */
  metrics: MetricsConfig | undefined;
  /** Reconciliation against OpenIM's REST API; undefined without OPENIM_API_URL. */
  reconcile: ReconcileConfig | undefined;
}

/** Reads and validates the worker's environment; throws one ConfigError listing every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): WorkerConfig {
  const e = parseEnv(WorkerEnv, source);
  return {
    concurrency: e.WORKER_CONCURRENCY,
    sinks: e.SINKS,
    database: {
      ...toDatabaseConfig(e),
      poolSize: e.DATABASE_POOL_SIZE,
      batchMax: e.POSTGRES_BATCH_MAX,
    },
    forward: { url: e.FORWARD_URL, timeoutMs: e.FORWARD_TIMEOUT_MS, authorization: e.FORWARD_AUTHORIZATION },
    inbox: { batchMax: e.INBOX_BATCH_MAX, claimIdleMs: e.INBOX_CLAIM_IDLE_MS },
    breaker: { threshold: e.SINK_BREAKER_THRESHOLD, cooldownMs: e.SINK_BREAKER_COOLDOWN_MS },
    lockDurationMs: e.LOCK_DURATION_MS,
    stalledIntervalMs: e.STALLED_INTERVAL_MS,
    maxStalledCount: e.MAX_STALLED_COUNT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    queue: toQueueSettings(e),
    metrics: toMetricsConfig(e),
    reconcile: toReconcileConfig(e),
  };
}
