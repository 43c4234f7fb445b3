import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { redactPaths } from './logger.js';

/** A logger with the runtime's redaction that writes into an array. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ redact: { paths: redactPaths, censor: '[redacted]' } }, stream), lines };
}

const TOKEN = 'tok-0123456789abcdef-secret';
const REDIS = 'redis://:hunter2-secret@127.0.0.1:6379';

describe('redactPaths', () => {
  it('keeps the callback token and Redis URLs out of logged config objects', () => {
    const { logger, lines } = capture();
    const config = { basePath: '/callback', security: { callbackToken: TOKEN }, queue: { redisUrl: REDIS } };
    logger.info({ config }, 'config');
    logger.info({ ...config }, 'spread config');
    logger.info({ callbackToken: TOKEN, token: TOKEN }, 'top level');
    logger.info({ env: { CALLBACK_TOKEN: TOKEN } }, 'environment');
    logger.info({ CALLBACK_TOKEN: TOKEN }, 'variable');
    const output = lines.join('');
    expect(lines).toHaveLength(5);
    expect(output).not.toContain(TOKEN);
    expect(output).not.toContain('hunter2-secret');
    expect(output).toContain('/callback');
    expect(output.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(8);
  });
});
