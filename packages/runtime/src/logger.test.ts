import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

/** The runtime's logger, writing into an array. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ name: 'test', destination }), lines };
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

describe('logged errors', () => {
  it('keep their stack and every cause', () => {
    const { logger, lines } = capture();
    const cause = new Error('connection refused');
    logger.error({ err: new Error('postgres sink: cannot apply', { cause }) }, 'job failed');
    const { err } = JSON.parse(lines[0] ?? '{}');
    expect(err.type).toBe('Error');
    expect(err.message).toBe('postgres sink: cannot apply: connection refused');
    expect(err.stack).toMatch(/^Error: postgres sink: cannot apply\n\s+at .*logger\.test\.ts/);
    expect(err.stack).toContain('caused by: Error: connection refused');
  });

  it('say a cause once when the error repeats it already (for readers of the message alone)', () => {
    const { logger, lines } = capture();
    const cause = new Error('answered 503');
    const failure = new Error(`http sink: ${cause.message}`, { cause });
    failure.stack = `${failure.stack}\ncaused by: ${cause.stack}`;
    logger.warn({ err: failure }, 'job failed: will retry');
    const { err } = JSON.parse(lines[0] ?? '{}');
    expect(err.message).toBe('http sink: answered 503');
    expect(err.stack.split('caused by: ')).toHaveLength(2);
  });

  it('mask a password in a URL, in the message, the stack, a cause or a field', () => {
    const { logger, lines } = capture();
    const inner = new Error(`cannot reach ${REDIS}`);
    logger.error({ err: new Error('redis unavailable', { cause: inner }) }, 'wrapped');
    let badUrl: unknown;
    try {
      new URL('redis://:hunter2-secret@127.0.0.1:port');
    } catch (err) {
      badUrl = err;
    }
    logger.error({ err: badUrl }, 'bad url');
    const output = lines.join('');
    expect(lines).toHaveLength(2);
    expect(output).not.toContain('hunter2-secret');
    expect(output).toContain('redis://:***@127.0.0.1:6379');
    expect(JSON.parse(lines[1] ?? '{}').err.input).toBe('redis://:***@127.0.0.1:port');
  });

  it('leave out the arguments of the Redis command that failed (AUTH carries the password)', () => {
    const { logger, lines } = capture();
    // What ioredis rejects `AUTH nobody <password>` with.
    const err = Object.assign(new Error('WRONGPASS invalid username-password pair or user is disabled.'), {
      name: 'ReplyError',
      command: { name: 'AUTH', args: ['nobody', 'hunter2-secret'] },
    });
    logger.warn({ err }, 'auth failed');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('hunter2-secret');
    expect(JSON.parse(lines[0] ?? '{}').err.command).toEqual({ name: 'AUTH', args: '[redacted]' });
  });
});
