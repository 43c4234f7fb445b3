import {
  checkReconcileEnv,
  databaseEnv,
  type ReconcileConfig,
  reconcileEnv,
  toDatabaseConfig,
  toReconcileConfig,
} from '@openim-sync/projection';
import { type QueueSettings, queueEnv, toQueueSettings } from '@openim-sync/queue';
import { checkMetricsAuth, env, parseEnv } from '@openim-sync/runtime';
import { z } from 'zod';
import type { BreakerSettings } from './circuit-breaker.js';
import { type MetricsConfig, metricsEnv, toMetricsConfig } from './metrics/metrics-config.js';

export const SINK_NAMES = ['postgres', 'http', 'log', 'noop'] as const;
export type SinkName = (typeof SINK_NAMES)[number];

export const WorkerEnv = z
  .object({
    ...queueEnv,
    ...metricsEnv,
    ...databaseEnv,
    ...reconcileEnv,
    WORKER_CONCURRENCY: env.positiveInt(32).meta({
      description: 'Jobs one worker process handles at once; the work is I/O-bound, so well above the core count.',
    }),
    SINKS: env
      .list()
      .pipe(z.array(z.enum(SINK_NAMES)).min(1, 'name at least one sink'))
      .transform((names) => [...new Set(names)])
      .default(['postgres'])
      .meta({
        description: 'Comma-separated sinks, applied in order: `postgres`, `http`, `log` (`noop`: benchmarks).',
      }),
    // Each connection carries every event that waited for it (group commit), so a few serve
    // WORKER_CONCURRENCY jobs; more make smaller batches (measured on 2 cores: 4 drained ~40 % more than 10).
    DATABASE_POOL_SIZE: env.positiveInt(4).meta({
      description: "Connections in the worker's Postgres pool, and so the postgres sink's transactions in flight.",
    }),
    POSTGRES_BATCH_MAX: env.positiveInt(64).meta({
      description:
        'Most events in one transaction: events arriving while every connection is busy share the next one (group commit).',
    }),
    FORWARD_URL: env.url(['http', 'https']).optional().meta({
      description: "The App's endpoint that receives each event as JSON; required when SINKS includes http.",
      example: 'https://app.example.com/openim/events',
    }),
    SINK_BREAKER_THRESHOLD: env.positiveInt(5).meta({
      description:
        'Retryable failures of one sink in a row (a 5xx, a timeout, a refused connection) that open its circuit ' +
        'in this worker: its jobs wait, attempts untouched, while one job at a time probes the sink.',
    }),
    SINK_BREAKER_COOLDOWN_MS: env.positiveInt(30_000).meta({
      description:
        "Ms an open sink circuit holds its jobs back before the next probe (the App's Retry-After, up to 1 h, if longer).",
    }),
    FORWARD_TIMEOUT_MS: env.positiveInt(5000).meta({
      description:
        "Ms per phase of an attempt (connecting, the answer's headers, a pause in its body) before it fails and is retried.",
    }),
    FORWARD_AUTHORIZATION: z.string().optional().meta({
      description: "Sent as the Authorization header to the App's endpoint; never logged.",
      secret: true,
    }),
    INBOX_BATCH_MAX: env.positiveInt(100).meta({
      description: 'Most inbox entries one worker moves into the queue at once.',
    }),
    INBOX_CLAIM_IDLE_MS: env.positiveInt(15_000).meta({
      description: 'Ms after which an inbox entry a worker read but did not move (it died) is taken over by another.',
    }),
    LOCK_DURATION_MS: env.positiveInt(30_000).meta({
      description: "Ms a worker's lock on a job lasts without renewal; a crashed worker's jobs come back after it.",
    }),
    STALLED_INTERVAL_MS: env.positiveInt(30_000).meta({
      description: 'How often in ms workers look for jobs whose worker died (stalled jobs).',
    }),
    MAX_STALLED_COUNT: env.nonNegativeInt(5).meta({
      description: 'Times a job may stall (its worker died mid-job) before it is failed.',
    }),
    SHUTDOWN_TIMEOUT_MS: env.positiveInt(30_000).meta({
      description:
        'Longest graceful shutdown in ms, waiting for active jobs, before the process exits anyway; unfinished jobs are retried by other workers.',
    }),
    LOG_LEVEL: env.logLevel().meta({ description: 'Log level: fatal, error, warn, info, debug, trace or silent.' }),
  })
  .superRefine((e, ctx) => {
    checkMetricsAuth(e, ctx);
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
