import { createWorkerConnection, readMemory } from '@openim-sync/queue';
import type { Logger } from '@openim-sync/runtime';
import type { Redis } from 'ioredis';
import { createRedisServer } from './redis-server.js';

export type Cleanups = Array<() => unknown>;

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
  const server = await createRedisServer(undefined, ['--maxmemory', String(maxmemory), '--appendfsync', 'everysec']);
  cleanups.push(() => server.close());
  await server.start();
  const redis = openConnection(server.url, cleanups);
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

export async function usedMemory(redis: Redis): Promise<number> {
  return readMemory(await redis.info('memory'))?.usedMemory ?? 0;
}

/** A worker-style connection that the cleanups disconnect. */
export function openConnection(url: string, cleanups: Cleanups): Redis {
  const connection = createWorkerConnection(url);
  connection.on('error', () => {});
  cleanups.push(() => connection.disconnect());
  return connection;
}

export interface CapturedLine {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

/** A logger that keeps each line it is given, for assertions on what a component said. */
export function captureLogger() {
  const lines: CapturedLine[] = [];
  const at =
    (level: string) =>
    (fields: unknown, msg?: string): void => {
      if (typeof fields === 'string') lines.push({ level, msg: fields, fields: {} });
      else lines.push({ level, msg: msg ?? '', fields: fields as Record<string, unknown> });
    };
  const methods = { fatal: at('fatal'), error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
  return { logger: methods as unknown as Logger, lines, messages: () => lines.map((l) => `${l.level}: ${l.msg}`) };
}
