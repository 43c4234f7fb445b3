import { ConfigError } from '@openim-sync/runtime';
import { commandDefinitions } from '@openim-sync/schema';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

/** The ConfigError `loadConfig` throws for `source`, or a failure when it does not throw one. */
function configError(source: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(source);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`loadConfig(${JSON.stringify(source)}) did not throw`);
}

describe('loadConfig', () => {
  it('has a default for everything', () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: '0.0.0.0',
      basePath: '/callback',
      maxBodyBytes: 1024 * 1024,
      enqueueTimeoutMs: 1500,
      enqueueCoalesceWrites: true,
      redisMemoryHighWater: 0.8,
      enabledCommands: commandDefinitions.map((d) => d.command),
      shutdownTimeoutMs: 10_000,
      logLevel: 'info',
      queue: {
        redisUrl: 'redis://127.0.0.1:6379',
        name: 'openim-callbacks',
        prefix: 'bull',
        attempts: 12,
        retryScheduleMs: [10, 60, 300, 900, 1800, 3600, 7200, 14_400, 21_600, 28_800, 36_000].map((s) => s * 1000),
        keepCompleted: { count: 1000, age: 3600 },
        keepFailed: { count: 0, age: 14 * 24 * 3600 },
        contentDedupMs: 0,
        highVolumePriority: 10,
        presenceCoalesceMs: 900_000,
      },
      security: { allowedIps: [], trustedProxies: [] },
      serverLimits: {
        headersTimeoutMs: 2000,
        requestTimeoutMs: 3000,
        keepAliveTimeoutMs: 60_000,
        maxConnections: 1024,
      },
      beforeCallbackForwarding: { url: undefined, timeoutMs: 2000, onError: 'continue', authorization: undefined },
    });
  });

  it('coerces and converts the values it reads', () => {
    const config = loadConfig({
      PORT: '9090',
      HOST: '127.0.0.1',
      MAX_BODY_BYTES: '2048',
      CONTENT_DEDUP_SECONDS: '60',
      ENQUEUE_TIMEOUT_MS: '800',
      ENABLED_COMMANDS: ' callbackAfterJoinGroupCommand, callbackQuitGroupCommand ,',
      SHUTDOWN_TIMEOUT_MS: '3000',
      LOG_LEVEL: 'debug',
      REDIS_URL: 'rediss://:secret@redis.internal:6380/2',
      QUEUE_NAME: 'callbacks',
      QUEUE_PREFIX: '{openim}',
      RETRY_SCHEDULE: '250ms, 1m',
      KEEP_COMPLETED_COUNT: '0',
      KEEP_COMPLETED_AGE_SECONDS: '0',
      KEEP_FAILED_COUNT: '10',
      KEEP_FAILED_AGE_SECONDS: '60',
    });
    expect(config).toMatchObject({
      port: 9090,
      host: '127.0.0.1',
      maxBodyBytes: 2048,
      enqueueTimeoutMs: 800,
      enabledCommands: ['callbackAfterJoinGroupCommand', 'callbackQuitGroupCommand'],
      shutdownTimeoutMs: 3000,
      logLevel: 'debug',
      queue: {
        redisUrl: 'rediss://:secret@redis.internal:6380/2',
        name: 'callbacks',
        prefix: '{openim}',
        attempts: 3,
        retryScheduleMs: [250, 60_000],
        keepCompleted: { count: 0, age: 0 },
        keepFailed: { count: 10, age: 60 },
        contentDedupMs: 60_000,
      },
    });
  });

  it('reports every bad variable in one ConfigError', () => {
    const error = configError({
      PORT: 'abc',
      RETRY_SCHEDULE: '1s,0',
      ENABLED_COMMANDS: 'callbackAfterQuitGroupCommand,nope',
      REDIS_URL: 'http://localhost:6379',
      QUEUE_NAME: 'a:b',
      MAX_BODY_BYTES: '1.5',
      LOG_LEVEL: 'loud',
      CALLBACK_BASE_PATH: 'callback',
    });
    expect(error.name).toBe('ConfigError');
    const variables = error.problems.map((p) => p.split(/[=:]/)[0]).sort();
    expect(variables).toEqual([
      'CALLBACK_BASE_PATH',
      'ENABLED_COMMANDS',
      'LOG_LEVEL',
      'MAX_BODY_BYTES',
      'PORT',
      'QUEUE_NAME',
      'REDIS_URL',
      'RETRY_SCHEDULE',
    ]);
    expect(error.problems.find((p) => p.startsWith('ENABLED_COMMANDS'))).toMatch(/unknown command\(s\): nope$/);
    expect(error.message).toContain('PORT="abc"');
    expect(error.message).toContain('RETRY_SCHEDULE="1s,0": "0" is not a duration');
  });

  it.each([
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['MAX_BODY_BYTES', '0'],
    ['ENQUEUE_TIMEOUT_MS', 'soon'],
    ['CONTENT_DEDUP_SECONDS', '-5'],
    ['KEEP_FAILED_COUNT', '-1'],
    ['RETRY_SCHEDULE', '10s,,1m'],
  ])('refuses %s=%j', (name, value) => {
    expect(configError({ [name]: value }).problems).toEqual([expect.stringMatching(new RegExp(`^${name}=`))]);
  });

  it('reads the BEFORE_CALLBACK_* variables', () => {
    const config = loadConfig({
      BEFORE_CALLBACK_URL: 'https://app.internal:8443/openim/before',
      BEFORE_CALLBACK_TIMEOUT_MS: '1500',
      BEFORE_CALLBACK_ON_ERROR: 'reject',
      BEFORE_CALLBACK_AUTHORIZATION: 'Bearer s3cret-value',
    });
    expect(config.beforeCallbackForwarding).toEqual({
      url: 'https://app.internal:8443/openim/before',
      timeoutMs: 1500,
      onError: 'reject',
      authorization: 'Bearer s3cret-value',
    });
    expect(loadConfig({ BEFORE_CALLBACK_TIMEOUT_MS: '14000' }).beforeCallbackForwarding.timeoutMs).toBe(14_000);
  });

  it('refuses bad BEFORE_CALLBACK_* values, never printing the URL or the Authorization', () => {
    const error = configError({
      BEFORE_CALLBACK_URL: 'ftp://user:pw@app.internal/x',
      BEFORE_CALLBACK_TIMEOUT_MS: '15000',
      BEFORE_CALLBACK_ON_ERROR: 'ignore',
      BEFORE_CALLBACK_AUTHORIZATION: '',
    });
    expect(error.problems.map((p) => p.split(/[=:]/)[0]).sort()).toEqual([
      'BEFORE_CALLBACK_ON_ERROR',
      'BEFORE_CALLBACK_TIMEOUT_MS',
      'BEFORE_CALLBACK_URL',
    ]);
    expect(error.problems.find((p) => p.startsWith('BEFORE_CALLBACK_TIMEOUT_MS'))).toMatch(/15 s/);
    expect(error.message).not.toContain('pw@');
    for (const value of ['0', '-5', '2.5', 'soon']) {
      expect(configError({ BEFORE_CALLBACK_TIMEOUT_MS: value }).problems).toEqual([
        expect.stringMatching(/^BEFORE_CALLBACK_TIMEOUT_MS=/),
      ]);
    }
  });

  it('treats an empty string as unset', () => {
    expect(
      loadConfig({
        PORT: '',
        HOST: '',
        CALLBACK_BASE_PATH: '',
        ENABLED_COMMANDS: '',
        REDIS_URL: '',
        RETRY_SCHEDULE: '',
        LOG_LEVEL: '',
        UNRELATED: undefined,
      }),
    ).toEqual(loadConfig({}));
  });

  it.each([
    ['/callback/', '/callback'],
    ['/hooks/openim//', '/hooks/openim'],
    ['/hooks/openim', '/hooks/openim'],
    ['/', '/'],
    ['///', '/'],
  ])('reads CALLBACK_BASE_PATH=%s as %s', (value, basePath) => {
    expect(loadConfig({ CALLBACK_BASE_PATH: value }).basePath).toBe(basePath);
  });

  it.each([
    ['0.5', 0.5],
    ['0', 0],
    ['off', 0],
    ['0.9', 0.9],
  ])('reads REDIS_MEMORY_HIGH_WATER=%s as %s (0: off)', (value, highWater) => {
    expect(loadConfig({ REDIS_MEMORY_HIGH_WATER: value }).redisMemoryHighWater).toBe(highWater);
  });

  it.each(['0.95', '1', '-0.1', 'on', '80%'])('refuses REDIS_MEMORY_HIGH_WATER=%s', (value) => {
    expect(configError({ REDIS_MEMORY_HIGH_WATER: value }).problems).toEqual([
      expect.stringMatching(/^REDIS_MEMORY_HIGH_WATER=/),
    ]);
  });

  it.each(['callback', '/callback?token=x', 'http://host/callback'])('refuses CALLBACK_BASE_PATH=%s', (value) => {
    expect(configError({ CALLBACK_BASE_PATH: value }).problems).toEqual([
      expect.stringMatching(/^CALLBACK_BASE_PATH=.*must start with "\/"/),
    ]);
  });
});
