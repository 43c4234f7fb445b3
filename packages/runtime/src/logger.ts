import { createRequire } from 'node:module';
import { type DestinationStream, type Logger, pino } from 'pino';
import { serializeError } from './serialize-error.js';

export type { Logger } from 'pino';

/** Paths pino replaces with "[redacted]" wherever they occur in a log line. */
export const redactPaths = [
  '*.password',
  '*.secret',
  '*.token',
  // The ingress's CALLBACK_TOKEN, under the names config objects give it.
  'token',
  'callbackToken',
  '*.callbackToken',
  '*.*.callbackToken',
  'CALLBACK_TOKEN',
  '*.CALLBACK_TOKEN',
  '*.authorization',
  '*.cookie',
  'headers.authorization',
  'req.headers.authorization',
  'config.DATABASE_URL',
  'config.REDIS_URL',
  'config.FORWARD_URL',
  // QueueSettings.redisUrl may hold Redis's password (log redactUrl(url) instead).
  '*.redisUrl',
  '*.*.redisUrl',
];

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Pretty output; defaults to "stdout is a terminal". */
  pretty?: boolean;
  /** Where lines go instead of stdout (tests); never pretty. */
  destination?: DestinationStream;
}

/** pino-pretty is a development dependency: production images do not ship it. */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * A pino logger with secrets redacted, errors under `err` included (see
 * serializeError); JSON unless writing to a terminal (and pino-pretty is installed).
 */
export function createLogger({ name, level = 'info', pretty, destination }: LoggerOptions): Logger {
  const options = {
    name,
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: { err: serializeError },
  };
  if (destination) return pino(options, destination);
  if (pretty ?? (process.stdout.isTTY === true && prettyAvailable())) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return pino(options);
}

/** `redis://user:secret@host` → `redis://user:***@host`, for log lines and errors. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '[unparseable url]';
  }
}
