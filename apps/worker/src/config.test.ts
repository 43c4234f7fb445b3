import { ConfigError } from '@openim-sync/runtime';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('worker config', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      concurrency: 32,
      sinks: ['postgres'],
      database: { url: 'postgres://postgres@127.0.0.1:5432/postgres', schema: 'public', poolSize: 4, batchMax: 64 },
      forward: { url: undefined, timeoutMs: 5000 },
      queue: { name: 'openim-callbacks', prefix: 'bull', attempts: 12 },
      breaker: { threshold: 5, cooldownMs: 30_000 },
    });
  });

  it('reads a sink list, trimming and deduplicating', () => {
    const config = loadConfig({ SINKS: ' http, postgres ,http', FORWARD_URL: 'https://app.example/hooks' });
    expect(config.sinks).toEqual(['http', 'postgres']);
  });

  it('lists every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({ SINKS: 'postgres,kafka', WORKER_CONCURRENCY: '0', DATABASE_URL: 'mysql://x', QUEUE_NAME: 'a:b' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['SINKS', 'WORKER_CONCURRENCY', 'DATABASE_URL', 'QUEUE_NAME']) expect(problems).toContain(name);
  });

  it('requires FORWARD_URL for the http sink', () => {
    expect(() => loadConfig({ SINKS: 'http' })).toThrow(/FORWARD_URL: required when SINKS includes http/);
  });

  it('never puts a secret value into its error', () => {
    try {
      loadConfig({ FORWARD_AUTHORIZATION: 'Bearer s3cret', WORKER_CONCURRENCY: 'x' });
    } catch (err) {
      expect((err as Error).message).not.toContain('s3cret');
    }
    expect.assertions(1);
  });
});
