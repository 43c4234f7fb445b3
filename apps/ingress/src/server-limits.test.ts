import { ConfigError } from '@openim-sync/runtime';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { toServerOptions } from './server-limits.js';

function problems(source: Record<string, string>): string[] {
  try {
    loadConfig(source);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('loadConfig did not throw');
}

describe('HTTP_* server limits', () => {
  it('default to timeouts well under OpenIM’s 5 s and a connection cap', () => {
    const limits = loadConfig({}).serverLimits;
    expect(limits).toEqual({
      headersTimeoutMs: 2000,
      requestTimeoutMs: 3000,
      keepAliveTimeoutMs: 60_000,
      maxConnections: 1024,
    });
    expect(limits.requestTimeoutMs).toBeLessThan(5000);
  });

  it('reads each variable', () => {
    const limits = loadConfig({
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_REQUEST_TIMEOUT_MS: '1500',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '4000',
      HTTP_MAX_CONNECTIONS: '64',
    }).serverLimits;
    expect(limits).toEqual({
      headersTimeoutMs: 1000,
      requestTimeoutMs: 1500,
      keepAliveTimeoutMs: 4000,
      maxConnections: 64,
    });
  });

  it('refuses a headers timeout longer than the request timeout (Node would throw at listen)', () => {
    expect(problems({ HTTP_HEADERS_TIMEOUT_MS: '4000' })).toEqual([
      'HTTP_HEADERS_TIMEOUT_MS="4000": must not be longer than HTTP_REQUEST_TIMEOUT_MS (3000)',
    ]);
  });

  it.each(['HTTP_HEADERS_TIMEOUT_MS', 'HTTP_REQUEST_TIMEOUT_MS', 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 'HTTP_MAX_CONNECTIONS'])(
    'refuses %s=0',
    (name) => {
      expect(problems({ [name]: '0' })).toEqual([expect.stringMatching(new RegExp(`^${name}="0"`))]);
    },
  );

  it('become node:http options that are checked often enough to matter', () => {
    const options = toServerOptions(loadConfig({}).serverLimits);
    expect(options).toMatchObject({ headersTimeout: 2000, requestTimeout: 3000, keepAliveTimeout: 60_000 });
    expect(options.connectionsCheckingInterval).toBeLessThanOrEqual(500);
  });
});
