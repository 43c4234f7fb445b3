import { createLogger, createShutdown, loadConfigOrExit, retryUntilReady } from '@openim-sync/runtime';
import { loadConfig } from './config.js';
import { createProcessor } from './processor.js';
import { createSinks } from './sinks/index.js';
import { createCallbackWorker } from './worker.js';

const config = loadConfigOrExit('worker', loadConfig);
const logger = createLogger({ name: 'worker', level: config.logLevel });
const shutdown = createShutdown({ logger, timeoutMs: config.shutdownTimeoutMs });
process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));

const starting = new AbortController();
shutdown.add('start-up', () => starting.abort());
shutdown.installSignalHandlers();

// Wait for the sinks (Postgres may start after us) instead of crash-looping.
const sinks = await retryUntilReady(() => createSinks(config, logger), {
  signal: starting.signal,
  onError: (err, delayMs) => logger.warn({ err: (err as Error).message, retryInMs: delayMs }, 'sinks not ready'),
}).catch((err) => {
  if (starting.signal.aborted) process.exit();
  throw err;
});
shutdown.add('sinks', () => Promise.all(sinks.map((sink) => sink.close())));

const worker = createCallbackWorker({ config, processor: createProcessor({ sinks, logger }), logger });
// Closing lets active jobs finish; jobs still running at the deadline stall and go to another worker.
shutdown.add('worker', () => worker.close());
void worker.run().catch((err) => {
  logger.fatal({ err }, 'worker stopped');
  void shutdown.run('worker error').finally(() => process.exit(1));
});
logger.info(
  { queue: config.queue.name, prefix: config.queue.prefix, concurrency: config.concurrency, sinks: config.sinks },
  'worker started',
);
