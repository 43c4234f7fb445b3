import { createOpenImClient } from '@openim-sync/openim-client';
import { createReconciler, type ReconcileConfig } from '@openim-sync/projection';
import {
  type CallbackQueue,
  createReconcileQueue,
  reconcileQueueName,
  removeLegacyReconcileSchedule,
  scheduleReconcileAll,
} from '@openim-sync/queue';
import { type Logger, redactUrl } from '@openim-sync/runtime';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import pg from 'pg';
import type { Registry } from 'prom-client';
import type { WorkerConfig } from '../config.js';
import type { ProcessorResult } from '../processor.js';
import { createCallbackWorker } from '../worker.js';
import { createReconcileMetrics } from './reconcile-metrics.js';
import { createReconcileProcessor } from './reconcile-processor.js';

export interface ReconcileRuntimeOptions {
  config: Pick<WorkerConfig, 'database' | 'queue' | 'lockDurationMs' | 'stalledIntervalMs' | 'maxStalledCount'> & {
    reconcile: ReconcileConfig;
  };
  logger: Logger;
  registry: Registry;
  /** The process's command connection (the caller closes it): the reconcile queue's handle and worker use it. */
  connection: Redis;
  /** The process's callback queue handle, to remove the schedule an older release kept there. */
  callbackQueue: Pick<CallbackQueue, 'removeJobScheduler'>;
}

export interface ReconcileRuntime {
  /** Processes `reconcile-all` and `reconcile-group` jobs (the callback queue's leftovers too). */
  processor: (job: Job) => Promise<ProcessorResult>;
  /**
   * Starts the reconcile queue's worker, puts RECONCILE_INTERVAL into
   * BullMQ's job scheduler (or removes the schedule when it is 0), and
   * removes the schedule an older release kept in the callback queue.
   */
  start(): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

/**
 * The reconcile's own connections: a group job holds one only for its short
 * transaction (OpenIM is read before it), so a few serve every reconcile job
 * in flight; the rest wait their turn, up to POOL_WAIT_MS, instead of failing.
 */
const POOL_SIZE = 4;
const POOL_WAIT_MS = 30_000;
/**
 * Reconcile jobs one process runs at once. Low: a job mostly waits for
 * OpenIM, whose API also serves its clients, and repairs need no hurry.
 */
const CONCURRENCY = POOL_SIZE;

/**
 * Reconciliation inside the worker: its own small Postgres pool, the OpenIM
 * client, and a BullMQ Worker on the reconcile queue (reconcileQueueName),
 * apart from the callbacks. Redis: the process's command connection, and
 * the blocking connection BullMQ gives the reconcile worker.
 */
export function createReconcileRuntime(options: ReconcileRuntimeOptions): ReconcileRuntime {
  const { config, registry, connection, callbackQueue } = options;
  const { reconcile, database, queue: settings } = config;
  const logger = options.logger.child({ component: 'reconcile' });
  const pool = new pg.Pool({ connectionString: database.url, max: POOL_SIZE, connectionTimeoutMillis: POOL_WAIT_MS });
  pool.on('error', (err) => logger.warn({ err }, 'postgres connection lost'));
  const queue = createReconcileQueue(settings, connection);
  queue.on('error', (err) => logger.warn({ err }, 'reconcile queue error'));
  const openim = createOpenImClient(reconcile.openim);
  const reconciler = createReconciler({
    pool,
    schema: database.schema,
    openim,
    logger,
    metrics: createReconcileMetrics(registry),
  });
  const processor = createReconcileProcessor({ reconciler, queue, settings, logger });
  const worker = createCallbackWorker({
    config: { ...config, concurrency: CONCURRENCY },
    queueName: reconcileQueueName(settings),
    processor,
    logger,
    connection,
  });
  let closed: Promise<void> | undefined;

  async function removeLegacySchedule() {
    if (await removeLegacyReconcileSchedule(callbackQueue)) {
      logger.info({ queue: settings.name }, 'removed the reconcile schedule from the callback queue (upgrade)');
    }
  }

  return {
    processor,
    async start() {
      void worker.run().catch((err) => logger.error({ err }, 'reconcile worker stopped'));
      await removeLegacySchedule();
      await scheduleReconcileAll(queue, settings, reconcile.intervalMs);
      logger.info(
        {
          openim: redactUrl(reconcile.openim.baseUrl),
          adminUserID: reconcile.openim.adminUserID,
          intervalMs: reconcile.intervalMs,
          queue: reconcileQueueName(settings),
        },
        reconcile.intervalMs > 0 ? 'reconcile scheduled' : 'reconcile on demand only (RECONCILE_INTERVAL is 0)',
      );
    },
    close() {
      closed ??= (async () => {
        // Active jobs finish first; they need the queue (to enqueue group jobs) and the pool.
        await worker.close().catch(() => {});
        await queue.close().catch(() => {});
        await pool.end();
      })();
      return closed;
    },
  };
}
