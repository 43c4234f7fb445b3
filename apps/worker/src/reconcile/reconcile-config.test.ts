import { ConfigError } from '@openim-sync/runtime';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';

const openim = { OPENIM_API_URL: 'http://openim:10002', OPENIM_ADMIN_SECRET: 'share-yml-secret-123' };

describe('reconcile config', () => {
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
    const intervals = ['0', '30s', '15m', '1h', '1d', '500ms'].map(
      (RECONCILE_INTERVAL) => loadConfig({ ...openim, RECONCILE_INTERVAL }).reconcile?.intervalMs,
    );
    expect(intervals).toEqual([0, 30_000, 900_000, 3_600_000, 86_400_000, 500]);
    expect(loadConfig({ ...openim, OPENIM_ADMIN_USER_ID: 'syncAdmin' }).reconcile?.openim.adminUserID).toBe(
      'syncAdmin',
    );
  });

  it('lists every problem, and never prints the secret', () => {
    let error: unknown;
    try {
      loadConfig({ OPENIM_ADMIN_SECRET: 'share-yml-secret-123', RECONCILE_INTERVAL: '15 minutes', SINKS: 'http' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('RECONCILE_INTERVAL="15 minutes": expected 0 or a duration');
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
