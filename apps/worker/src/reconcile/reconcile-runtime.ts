import { createOpenImClient } from '@openim-sync/openim-client';
import { type QueueSettings, workerConnectionOptions } from '@openim-sync/queue';
import { type Logger, redactUrl } from '@openim-sync/runtime';
import { type Job, Queue } from 'bullmq';
import pg from 'pg';
import type { Registry } from 'prom-client';
import type { ProcessorResult } from '../processor.js';
import type { ReconcileConfig } from './reconcile-config.js';
import { scheduleReconcileAll } from './reconcile-jobs.js';
import { createReconcileMetrics } from './reconcile-metrics.js';
import { createReconcileProcessor } from './reconcile-processor.js';
import { createReconciler } from './reconciler.js';

export interface ReconcileRuntimeOptions {
  reconcile: ReconcileConfig;
  database: { url: string; schema: string };
  queue: QueueSettings;
  logger: Logger;
  registry: Registry;
}

export interface ReconcileRuntime {
  /** Processes `reconcile-all` and `reconcile-group` jobs. */
  processor: (job: Job) => Promise<ProcessorResult>;
  /** Puts RECONCILE_INTERVAL into BullMQ's job scheduler (or removes the schedule when it is 0). */
  schedule(): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

/**
 * The reconcile's own connections: a group job holds one only for its short
 * transaction (OpenIM is read before it), so a few serve WORKER_CONCURRENCY
 * jobs; the rest wait their turn, up to POOL_WAIT_MS, instead of failing.
 */
const POOL_SIZE = 4;
const POOL_WAIT_MS = 30_000;

/**
 * Reconciliation inside the worker: its own small Postgres pool, the OpenIM
 * client, and a queue handle to enqueue group jobs and keep the schedule.
 */
export function createReconcileRuntime(options: ReconcileRuntimeOptions): ReconcileRuntime {
  const { reconcile, database, queue: settings, registry } = options;
  const logger = options.logger.child({ component: 'reconcile' });
  const pool = new pg.Pool({ connectionString: database.url, max: POOL_SIZE, connectionTimeoutMillis: POOL_WAIT_MS });
  pool.on('error', (err) => logger.warn({ err }, 'postgres connection lost'));
  const queue = new Queue(settings.name, {
    connection: workerConnectionOptions(settings.redisUrl),
    prefix: settings.prefix,
  });
  queue.on('error', (err) => logger.warn({ err }, 'reconcile queue error'));
  const openim = createOpenImClient(reconcile.openim);
  const reconciler = createReconciler({
    pool,
    schema: database.schema,
    openim,
    logger,
    metrics: createReconcileMetrics(registry),
  });
  let closed: Promise<void> | undefined;

  return {
    processor: createReconcileProcessor({ reconciler, queue, settings, logger }),
    async schedule() {
      await scheduleReconcileAll(queue, settings, reconcile.intervalMs);
      logger.info(
        {
          openim: redactUrl(reconcile.openim.baseUrl),
          adminUserID: reconcile.openim.adminUserID,
          intervalMs: reconcile.intervalMs,
        },
        reconcile.intervalMs > 0 ? 'reconcile scheduled' : 'reconcile on demand only (RECONCILE_INTERVAL is 0)',
      );
    },
    close() {
      closed ??= (async () => {
        await queue.close().catch(() => {});
        await pool.end();
      })();
      return closed;
    },
  };
}
