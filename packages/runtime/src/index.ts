export { ConfigError, env, loadConfigOrExit, parseEnv } from './config.js';
export type { BasicCredentials } from './credentials.js';
export { credentialsOf, requirePair } from './credentials.js';
export type { Logger, LoggerOptions } from './logger.js';
export { createLogger, redactUrl } from './logger.js';
export { retryUntilReady } from './retry.js';
export type { Shutdown } from './shutdown.js';
export { createShutdown } from './shutdown.js';
