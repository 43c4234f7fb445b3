import { ConfigError } from '@openim-sync/runtime';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';

describe('metrics listener config', () => {
  it('listens on 0.0.0.0:8082 without auth by default', () => {
    expect(loadConfig({}).metrics).toEqual({ port: 8082, host: '0.0.0.0', credentials: undefined });
  });

  it('is off with METRICS_PORT=0', () => {
    expect(loadConfig({ METRICS_PORT: '0' }).metrics).toBeUndefined();
  });

  it('protects /metrics with a user and password given together', () => {
    const config = loadConfig({ METRICS_USER: 'prom', METRICS_PASSWORD: 'scrape-secret', METRICS_HOST: '127.0.0.1' });
    expect(config.metrics).toEqual({
      port: 8082,
      host: '127.0.0.1',
      credentials: { username: 'prom', password: 'scrape-secret' },
    });
    expect(() => loadConfig({ METRICS_USER: 'prom' })).toThrow(/METRICS_PASSWORD: required when METRICS_USER is set/);
    try {
      loadConfig({ METRICS_PASSWORD: 'short' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).not.toContain('short');
    }
    expect.assertions(4);
  });
});
