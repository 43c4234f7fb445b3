import { createInboxMover, type InboxMover, inboxMoveRoom, warnAboutRedisDurability } from '@openim-sync/queue';
import {
  closeStep,
  type ProcessRuntime,
  type ProcessRuntimeDeps,
  processRuntime,
  retryUntilReady,
} from '@openim-sync/runtime';
import { createCatalog } from '@openim-sync/schema';
import { Registry } from 'prom-client';
import { createSinkBreakers } from './circuit-breaker.js';
import type { WorkerConfig } from './config.js';
import { workerReadiness } from './health-app.js';
import { type HealthServer, startHealthServer } from './health-server.js';
import type { QueueReader } from './metrics/queue-gauges.js';
import { createWorkerMetrics } from './metrics/worker-metrics.js';
import { createProcessor } from './processor.js';
import { routeJobs } from './reconcile/reconcile-processor.js';
import { createReconcileRuntime, type ReconcileRuntime } from './reconcile/reconcile-runtime.js';
import { createSinks, type Sink } from './sinks/index.js';
import { type CallbackWorker, createCallbackWorker } from './worker.js';
import { connectWorkerRedis } from './worker-redis.js';

/**
 * The worker process: what main.ts starts and, on a signal, closes. It
 * starts the metrics and health listener first (so /readyz says why not
 * ready meanwhile), then waits for the sinks (Postgres may start after us),
 * then runs the reconcile, the worker and the inbox mover. Its Redis
 * connections: see worker-redis.ts.
 */
export function createWorkerRuntime({ config, logger, onFatal }: ProcessRuntimeDeps<WorkerConfig>): ProcessRuntime {
  const redis = connectWorkerRedis(config.queue, logger);
  const metrics = createWorkerMetrics({ registry: new Registry() });
  const starting = new AbortController();
  let stopping = false;
  let health: HealthServer | undefined;
  let sinks: Sink[] | undefined;
  let reconcile: ReconcileRuntime | undefined;
  let worker: CallbackWorker | undefined;
  let mover: InboxMover | undefined;

  async function startHealth(metricsConfig: NonNullable<WorkerConfig['metrics']>) {
    const readiness = async () => (stopping ? 'shutting down' : worker ? workerReadiness(worker) : 'starting');
    const queue = redis.callbackQueue as unknown as QueueReader;
    const options = { config: metricsConfig, queue, registry: metrics.registry, readiness, logger };
    health = await startHealthServer(options).catch((err) => {
      logger.fatal({ err }, 'cannot start the metrics listener');
      onFatal('metrics listen error');
      return undefined;
    });
  }

  function startWorker(ready: Sink[]) {
    reconcile =
      config.reconcile &&
      createReconcileRuntime({
        config: { ...config, reconcile: config.reconcile },
        logger,
        registry: metrics.registry,
        connection: redis.commands,
        callbackQueue: redis.callbackQueue,
      });
    const breakers = createSinkBreakers({
      sinks: config.sinks,
      settings: config.breaker,
      logger,
      onChange: metrics.circuitChanged,
    });
    const callbacks = createProcessor({ sinks: metrics.instrumentSinks(ready), logger, breakers });
    const processor = metrics.instrumentProcessor(routeJobs(callbacks, reconcile?.processor));
    worker = createCallbackWorker({ config, processor, logger, connection: redis.commands });
    metrics.observeJobs(worker);
    void worker.run().catch((err) => {
      logger.fatal({ err }, 'worker stopped');
      onFatal('worker error');
    });
  }

  // Every worker moves the inbox, where the ingress appends each callback, into the queue:
  // an empty inbox costs one blocked read.
  function startMover() {
    mover = createInboxMover({
      reader: redis.inboxReader,
      queue: redis.callbackQueue,
      settings: config.queue,
      catalog: createCatalog(),
      logger,
      batchMax: config.inbox.batchMax,
      claimIdleMs: config.inbox.claimIdleMs,
      roomToMove: inboxMoveRoom(redis.commands, logger),
      ...metrics.inbox,
    });
    void mover.run().catch((err) => {
      logger.fatal({ err }, 'inbox mover stopped');
      onFatal('inbox mover error');
    });
  }

  async function run() {
    void warnAboutRedisDurability(redis.commands, logger);
    if (config.metrics) await startHealth(config.metrics);
    if (stopping) return;
    sinks = await retryUntilReady(() => createSinks(config, logger), {
      signal: starting.signal,
      onError: (err, delayMs) => logger.warn({ err, retryInMs: delayMs }, 'sinks not ready'),
    }).catch((err) => {
      if (!starting.signal.aborted) throw err;
      return undefined;
    });
    if (!sinks || stopping) return;
    startWorker(sinks);
    startMover();
    reconcile?.start().catch((err) => logger.error({ err }, 'cannot schedule the reconcile'));
    const { name, prefix } = config.queue;
    logger.info({ queue: name, prefix, concurrency: config.concurrency, sinks: config.sinks }, 'worker started');
  }

  async function stop(startSettled: Promise<void>) {
    // /readyz turns 503 first, before anything drains.
    stopping = true;
    starting.abort();
    await startSettled;
    // What the mover moves while the worker drains is not lost either way; it stops first.
    await closeStep(logger, 'inbox', () => mover?.close());
    // Active jobs finish; jobs still running at the deadline stall and go to another worker.
    await closeStep(logger, 'worker', () => worker?.close());
    await closeStep(logger, 'reconcile', () => reconcile?.close());
    await closeStep(logger, 'sinks', () => sinks && Promise.all(sinks.map((sink) => sink.close())));
    await closeStep(logger, 'metrics', () => health?.close());
    // Last: every step above may still send commands on it.
    await closeStep(logger, 'redis', () => redis.close());
  }

  return processRuntime(run, stop);
}
