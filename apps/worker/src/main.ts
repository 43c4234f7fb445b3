import {
  createCallbackQueue,
  createInboxMover,
  createWorkerConnection,
  inboxMoveRoom,
  warnAboutRedisDurability,
} from '@openim-sync/queue';
import { createLogger, createShutdown, loadConfigOrExit, retryUntilReady } from '@openim-sync/runtime';
import { createCatalog } from '@openim-sync/schema';
import { Registry } from 'prom-client';
import { createSinkBreakers } from './circuit-breaker.js';
import { loadConfig } from './config.js';
import { workerReadiness } from './health-app.js';
import { startHealthServer } from './health-server.js';
import { createWorkerMetrics } from './metrics/worker-metrics.js';
import { createProcessor } from './processor.js';
import { routeJobs } from './reconcile/reconcile-processor.js';
import { createReconcileRuntime } from './reconcile/reconcile-runtime.js';
import { createSinks } from './sinks/index.js';
import { type CallbackWorker, createCallbackWorker } from './worker.js';

const config = loadConfigOrExit('worker', loadConfig);
const logger = createLogger({ name: 'worker', level: config.logLevel });
const shutdown = createShutdown({ logger, timeoutMs: config.shutdownTimeoutMs });
process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));

const starting = new AbortController();
shutdown.add('start-up', () => starting.abort());
shutdown.installSignalHandlers();

// Listen first: /healthz answers and /readyz says why not ready while the sinks start.
const metrics = createWorkerMetrics({ registry: new Registry() });
let worker: CallbackWorker | undefined;
let stopping = false;
if (config.metrics) {
  const readiness = async () => (stopping ? 'shutting down' : worker ? workerReadiness(worker) : 'starting');
  const options = {
    config: config.metrics,
    queueSettings: config.queue,
    registry: metrics.registry,
    readiness,
    logger,
  };
  await startHealthServer(options).then(
    (server) => shutdown.add('metrics', () => server.close()),
    (err) => {
      logger.fatal({ err }, 'cannot start the metrics listener');
      return shutdown.run('metrics listen error').finally(() => process.exit(1));
    },
  );
}

// Wait for the sinks (Postgres may start after us) instead of crash-looping.
const sinks = await retryUntilReady(() => createSinks(config, logger), {
  signal: starting.signal,
  onError: (err, delayMs) => logger.warn({ err, retryInMs: delayMs }, 'sinks not ready'),
}).catch((err) => {
  if (starting.signal.aborted) process.exit();
  throw err;
});
shutdown.add('sinks', () => Promise.all(sinks.map((sink) => sink.close())));

// Reconciliation against OpenIM (OPENIM_API_URL): its jobs have a queue and a BullMQ Worker of their own.
const reconcile =
  config.reconcile &&
  createReconcileRuntime({ config: { ...config, reconcile: config.reconcile }, logger, registry: metrics.registry });
if (reconcile) shutdown.add('reconcile', () => reconcile.close());
const breakers = createSinkBreakers({
  sinks: config.sinks,
  settings: config.breaker,
  logger,
  onChange: metrics.circuitChanged,
});
const callbacks = createProcessor({ sinks: metrics.instrumentSinks(sinks), logger, breakers });
const processor = metrics.instrumentProcessor(routeJobs(callbacks, reconcile?.processor));
worker = createCallbackWorker({ config, processor, logger });
metrics.observeJobs(worker);
// Closing lets active jobs finish; jobs still running at the deadline stall and go to another worker.
shutdown.add('worker', () => worker?.close());
// Added last, so it runs first: /readyz turns 503 before the worker starts draining.
shutdown.add('readiness', () => {
  stopping = true;
});
void worker.run().catch((err) => {
  logger.fatal({ err }, 'worker stopped');
  void shutdown.run('worker error').finally(() => process.exit(1));
});

// Every worker moves the inbox, where the ingress appends each callback, into the queue: an
// empty inbox costs one blocked read. Its own connections: the reader blocks.
const inboxConnection = createWorkerConnection(config.queue.redisUrl);
void warnAboutRedisDurability(inboxConnection, logger);
const inboxQueue = createCallbackQueue(config.queue, inboxConnection);
inboxQueue.on('error', (err) => logger.debug({ err }, 'inbox queue error'));
const mover = createInboxMover({
  reader: createWorkerConnection(config.queue.redisUrl),
  queue: inboxQueue,
  settings: config.queue,
  catalog: createCatalog(),
  logger,
  batchMax: config.inbox.batchMax,
  claimIdleMs: config.inbox.claimIdleMs,
  roomToMove: inboxMoveRoom(inboxConnection, logger),
  ...metrics.inbox,
});
// Added after the worker, so it stops first: what it moves while the worker drains is not lost either way.
shutdown.add('inbox', async () => {
  await mover.close();
  await inboxQueue.close();
  await inboxConnection.quit().catch(() => inboxConnection.disconnect());
});
void mover.run().catch((err) => {
  logger.fatal({ err }, 'inbox mover stopped');
  void shutdown.run('inbox mover error').finally(() => process.exit(1));
});
reconcile?.start().catch((err) => logger.error({ err }, 'cannot schedule the reconcile'));
logger.info(
  { queue: config.queue.name, prefix: config.queue.prefix, concurrency: config.concurrency, sinks: config.sinks },
  'worker started',
);
