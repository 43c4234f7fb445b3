import { createLogger, gracefulExit, loadConfigOrExit } from '@openim-sync/runtime';
import { loadConfig } from './config.js';
import { createIngressRuntime } from './runtime.js';

const config = loadConfigOrExit('ingress', loadConfig);
const logger = createLogger({ name: 'ingress', level: config.logLevel });
const runtime = createIngressRuntime({ config, logger, onFatal: (reason) => exit.fail(reason) });
const exit = gracefulExit({ logger, timeoutMs: config.shutdownTimeoutMs, close: () => runtime.close() });
await runtime.start().catch((err) => {
  logger.fatal({ err }, 'cannot start');
  exit.fail('start-up error');
});
