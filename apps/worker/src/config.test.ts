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

const openim = { OPENIM_API_URL: 'http://openim:10002', OPENIM_ADMIN_SECRET: 'share-yml-secret-123' };

describe('worker config, reconciliation', () => {
  it('is off without OPENIM_API_URL', () => {
    expect(loadConfig({}).reconcile).toBeUndefined();
  });

  it('reads the OpenIM API, the admin user (default imAdmin) and the interval', () => {
    expect(loadConfig(openim).reconcile).toEqual({
      openim: {
        baseUrl: 'http://openim:10002',
        secret: 'share-yml-secret-123',
        adminUserID: 'imAdmin',
        timeoutMs: 10_000,
      },
      intervalMs: 0,
    });
    const intervals = ['0', '30s', '15m', '1h', '6h', '1d', '500ms', '90000'].map(
      (RECONCILE_INTERVAL) => loadConfig({ ...openim, RECONCILE_INTERVAL }).reconcile?.intervalMs,
    );
    expect(intervals).toEqual([0, 30_000, 900_000, 3_600_000, 21_600_000, 86_400_000, 500, 90_000]);
    expect(loadConfig({ ...openim, OPENIM_ADMIN_USER_ID: 'syncAdmin' }).reconcile?.openim.adminUserID).toBe(
      'syncAdmin',
    );
  });

  it('lists every problem, and never prints the secret', () => {
    let error: unknown;
    try {
      loadConfig({
        OPENIM_ADMIN_SECRET: 'share-yml-secret-123',
        RECONCILE_INTERVAL: 'every 15 minutes',
        SINKS: 'http',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('RECONCILE_INTERVAL="every 15 minutes": expected a duration such as 30s, 15m');
    expect(message).not.toContain('share-yml-secret-123');
    expect(() => loadConfig({ OPENIM_API_URL: 'http://openim:10002' })).toThrow(
      /OPENIM_ADMIN_SECRET: required when OPENIM_API_URL is set/,
    );
    expect(() => loadConfig({ RECONCILE_INTERVAL: '15m' })).toThrow(/RECONCILE_INTERVAL="15m": needs OPENIM_API_URL/);
    expect(() => loadConfig({ ...openim, SINKS: 'http', FORWARD_URL: 'http://app' })).toThrow(
      /OPENIM_API_URL: reconciliation repairs the postgres projection/,
    );
    expect(() => loadConfig({ ...openim, OPENIM_API_URL: 'ftp://openim' })).toThrow(/OPENIM_API_URL: must be a http/);
  });
});
