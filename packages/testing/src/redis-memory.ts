import { Redis } from 'ioredis';
import { createRedisServer } from './redis-server.js';

/** Steps a test file runs after each test, last added first (see {@link runCleanups}). */
export type Cleanups = Array<() => unknown>;

/** Runs and empties `cleanups`, last added first. */
export async function runCleanups(cleanups: Cleanups): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) await step();
}

/** Silences a connection's errors (the test kills its Redis on purpose) and has `cleanups` disconnect it. */
export function trackConnection<C extends Redis>(connection: C, cleanups: Cleanups): C {
  connection.on('error', () => {});
  cleanups.push(() => connection.disconnect());
  return connection;
}

export interface LimitedRedis {
  url: string;
  /** A connection of the test's own (closed by the cleanups). */
  redis: Redis;
  /** Adds 256 KB strings until used_memory reaches `ratio` of maxmemory, or until it grew by `bytes` when set. */
  fill(ratio: number, bytes?: number): Promise<void>;
  /** Deletes what fill() added. */
  empty(): Promise<void>;
}

/** A redis-server of the test's own with this maxmemory (0: none); `cleanups` get its shutdown. */
export async function startLimitedRedis(maxmemory: number, cleanups: Cleanups): Promise<LimitedRedis> {
  const server = await createRedisServer({ maxmemory, args: ['--appendfsync', 'everysec'] });
  cleanups.push(() => server.close());
  await server.start();
  const redis = trackConnection(new Redis(server.url, { maxRetriesPerRequest: null }), cleanups);
  let fillers = 0;
  return {
    url: server.url,
    redis,
    async fill(ratio, bytes = 0) {
      const target = bytes > 0 ? (await usedMemory(redis)) + bytes : maxmemory * ratio;
      while ((await usedMemory(redis)) < target)
        await redis.set(`filler:${fillers++}`, Buffer.alloc(256 * 1024, fillers));
    },
    async empty() {
      for (let i = 0; i < fillers; i++) await redis.del(`filler:${i}`);
    },
  };
}

/** used_memory from INFO memory, in bytes. */
export async function usedMemory(redis: Redis): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? 0);
}

export interface CapturedLine {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

/**
 * A logger that keeps each line it is given, for assertions on what a
 * component said. Typed `never` so it fits any component's logger parameter
 * without this package depending on the runtime's Logger.
 */
export function captureLogger() {
  const lines: CapturedLine[] = [];
  const at =
    (level: string) =>
    (fields: unknown, msg?: string): void => {
      if (typeof fields === 'string') lines.push({ level, msg: fields, fields: {} });
      else lines.push({ level, msg: msg ?? '', fields: fields as Record<string, unknown> });
    };
  const methods = {
    fatal: at('fatal'),
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    // Every level on: lines built only when debug is enabled are kept too.
    isLevelEnabled: () => true,
  };
  return { logger: methods as never, lines, messages: () => lines.map((l) => `${l.level}: ${l.msg}`) };
}
