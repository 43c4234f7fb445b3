import { BACKOFF_TYPE, type CallbackJobData, retryDelay, workerConnectionOptions } from '@openim-sync/queue';
import type { Logger } from '@openim-sync/runtime';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { MAX_RETRY_AFTER_MS, SinkCircuitOpenError } from './circuit-breaker.js';
import type { WorkerConfig } from './config.js';
import type { ProcessorResult } from './processor.js';
import { RetryableSinkError } from './sinks/index.js';

export type CallbackWorker = Worker<CallbackJobData, ProcessorResult, string>;

export interface WorkerDeps {
  config: Pick<WorkerConfig, 'concurrency' | 'lockDurationMs' | 'stalledIntervalMs' | 'maxStalledCount' | 'queue'>;
  processor: (job: Job<CallbackJobData>) => Promise<ProcessorResult>;
  logger: Logger;
  /** The queue to take jobs from: the callback queue unless given (the reconcile queue's worker). */
  queueName?: string;
  /**
   * The process's command connection, shared (from createWorkerConnection); BullMQ adds a
   * blocking connection of the worker's own. Without it the worker opens both itself.
   */
  connection?: Redis;
}

/**
 * A BullMQ worker on the callback queue. Created paused (`autorun: false`):
 * the caller starts it with `run()` once its sinks are ready.
 *
 * A job stopped by an open circuit (SinkCircuitOpenError) becomes BullMQ's
 * manual rate limit: the job goes back to the head of the waiting list with
 * its attempts untouched, and this worker fetches no job until the wait is
 * over (it sleeps, no polling). With no `limiter` on the queue the limit key
 * holds back only the worker that hit the open circuit: each process's
 * circuits are its own. (BullMQ 6 marks Worker.rateLimit deprecated for
 * Queue.rateLimit, which sets the same key; the worker has no Queue.)
 */
export function createCallbackWorker({
  config,
  processor,
  logger,
  queueName = config.queue.name,
  connection,
}: WorkerDeps): CallbackWorker {
  const guarded = async (job: Job<CallbackJobData>) => {
    try {
      return await processor(job);
    } catch (err) {
      if (!(err instanceof SinkCircuitOpenError)) throw err;
      await worker.rateLimit(err.waitMs);
      throw Worker.RateLimitError();
    }
  };
  const worker: CallbackWorker = new Worker(queueName, guarded, {
    connection: connection ?? workerConnectionOptions(config.queue.redisUrl),
    prefix: config.queue.prefix,
    concurrency: config.concurrency,
    lockDuration: config.lockDurationMs,
    stalledInterval: config.stalledIntervalMs,
    maxStalledCount: config.maxStalledCount,
    autorun: false,
    settings: {
      backoffStrategy: (attemptsMade: number, type?: string, err?: Error) => {
        if (type !== BACKOFF_TYPE) throw new Error(`unknown backoff type ${type}`);
        if (err instanceof RetryableSinkError && err.retryAfterMs !== undefined) {
          return Math.min(err.retryAfterMs, MAX_RETRY_AFTER_MS);
        }
        return retryDelay(attemptsMade, config.queue.retryScheduleMs);
      },
    },
  });

  worker.on('failed', (job, err) => {
    if (!job) return;
    const context = { jobId: job.id, command: job.name, operationID: job.data?.operationID, attempt: job.attemptsMade };
    if (isFinalFailure(job, err)) logger.error({ ...context, err }, 'job failed for good: kept in the failed set');
    else logger.warn({ ...context, err }, 'job failed: will retry');
  });
  worker.on('stalled', (jobId) => logger.warn({ jobId }, 'job stalled (its worker died): back in the queue'));
  worker.on('error', (err) => logger.error({ err }, 'worker error'));
  return worker;
}

/** True when BullMQ keeps the job in the failed set after this failure instead of retrying it. */
export function isFinalFailure(job: Pick<Job, 'attemptsMade' | 'opts'>, err: Error): boolean {
  return err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
}
