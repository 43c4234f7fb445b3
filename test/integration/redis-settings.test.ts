import { createWorkerConnection, warnAboutRedisDurability } from '@openim-sync/queue';
import {
  type Cleanups,
  captureLogger,
  createRedisServer,
  runCleanups,
  type Stack,
  startFaultStack,
  trackConnection,
} from '@openim-sync/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

const cleanups: Cleanups = [];
afterEach(() => runCleanups(cleanups));

/** What a Redis that cannot keep acknowledged callbacks looks like: no AOF, no limit, an evicting policy. */
const UNSAFE = ['--appendonly', 'no', '--maxmemory', '0', '--maxmemory-policy', 'allkeys-lru'];
/** Managed Redis often renames CONFIG away, or an ACL refuses it (and sometimes INFO). */
const NO_CONFIG = ['--rename-command', 'CONFIG', 'config-renamed-away'];

async function redisWith(args: string[]) {
  const server = await createRedisServer({ args });
  cleanups.push(() => server.close());
  await server.start();
  return server;
}

/** The warning lines warnAboutRedisDurability logs against a redis-server started with `args`. */
async function warningsFor(args: string[], user?: { acl: string[] }) {
  const server = await redisWith(args);
  const log = captureLogger();
  let connection = trackConnection(createWorkerConnection(server.url), cleanups);
  if (user) {
    await connection.call('ACL', 'SETUSER', 'managed', 'on', '>managed-pw', '~*', '&*', ...user.acl);
    // ioredis's ready check reads INFO: a user without INFO gets ready only by skipping it.
    const url = new URL(server.url);
    connection = new Redis({
      host: url.hostname,
      port: Number(url.port),
      username: 'managed',
      password: 'managed-pw',
      enableReadyCheck: false,
    });
    const own = connection;
    cleanups.push(() => own.disconnect());
  }
  await warnAboutRedisDurability(connection, log.logger);
  return log.lines.map(({ level, msg, fields }) => ({
    level,
    msg,
    redisSetting: fields.redisSetting,
    value: fields.value,
  }));
}

describe('the start-up check of Redis settings', () => {
  it('says nothing about appendonly yes, a maxmemory and noeviction', async () => {
    expect(await warningsFor(['--maxmemory', String(64 * 1024 * 1024)])).toEqual([]);
  });

  it('warns once per setting that loses acknowledged callbacks, saying what to set', async () => {
    const lines = await warningsFor(UNSAFE);
    expect(lines.map(({ level, redisSetting, value }) => [level, redisSetting, value])).toEqual([
      ['warn', 'appendonly', 'no'],
      ['warn', 'maxmemory', '0'],
      ['warn', 'maxmemory-policy', 'allkeys-lru'],
    ]);
    expect(lines.map((line) => line.msg)).toEqual([
      expect.stringMatching(/restart loses callbacks already acknowledged.*set appendonly yes/),
      expect.stringMatching(/grows until the kernel kills it.*set maxmemory/),
      expect.stringMatching(/evicts queue keys.*set maxmemory-policy noeviction/),
    ]);
  });

  it('reads INFO when CONFIG is disabled', async () => {
    const lines = await warningsFor([...UNSAFE, '--maxmemory-policy', 'volatile-lru', ...NO_CONFIG]);
    expect(lines.map(({ redisSetting, value }) => [redisSetting, value])).toEqual([
      ['appendonly', 'no'],
      ['maxmemory', '0'],
      ['maxmemory-policy', 'volatile-lru'],
    ]);
    expect(await warningsFor(['--maxmemory', '1000000000', ...NO_CONFIG])).toEqual([]);
  });

  it('says when it cannot tell', async () => {
    const lines = await warningsFor([], { acl: ['+@all', '-config', '-info'] });
    expect(lines.map(({ redisSetting, value }) => [redisSetting, value])).toEqual([
      ['appendonly', 'unknown'],
      ['maxmemory', 'unknown'],
      ['maxmemory-policy', 'unknown'],
    ]);
    for (const line of lines) expect(line.msg).toMatch(/^cannot read Redis's .* \(CONFIG GET and INFO refused\)/);
  });
});

describe('the ingress and the worker at start', () => {
  let stack: Stack | undefined;
  afterAll(() => stack?.close());

  it('each log the three warnings against an unsafe Redis', { timeout: 120_000 }, async () => {
    const server = await redisWith(UNSAFE);
    const s = await startFaultStack({ label: 'redis_settings', redisUrl: server.url });
    stack = s;
    const [ingress, worker] = await Promise.all([s.startIngress(), s.startWorker()]);
    for (const p of [ingress.process, worker]) {
      await p.waitForLine(/"redisSetting":"maxmemory-policy"/, 30_000);
      const settings = p.output.filter((line) => line.includes('"redisSetting"')).map((line) => JSON.parse(line));
      expect(settings.map((line) => [line.level, line.redisSetting])).toEqual([
        [40, 'appendonly'],
        [40, 'maxmemory'],
        [40, 'maxmemory-policy'],
      ]);
    }
    expect(ingress.process.logLines('ingress listening')).toHaveLength(1);
  });
});
