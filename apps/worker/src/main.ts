import { createLogger, gracefulExit, loadConfigOrExit } from '@openim-sync/runtime';
import { loadConfig } from './config.js';
import { createWorkerRuntime } from './runtime.js';

const config = loadConfigOrExit('worker', loadConfig);
const logger = createLogger({ name: 'worker', level: config.logLevel });
const runtime = createWorkerRuntime({ config, logger, onFatal: (reason) => exit.fail(reason) });
const exit = gracefulExit({ logger, timeoutMs: config.shutdownTimeoutMs, close: () => runtime.close() });
await runtime.start().catch((err) => {
  logger.fatal({ err }, 'cannot start');
  exit.fail('start-up error');
});
