import type { Logger } from '@openim-sync/runtime';
import type { Redis } from 'ioredis';
import { parseRedisInfo } from './redis-settings.js';

/** Redis's memory as INFO memory reports it, in bytes. */
export interface RedisMemoryReading {
  usedMemory: number;
  /** 0: no limit. */
  maxmemory: number;
}

/**
 * Where the inbox movers stop turning inbox entries into jobs: a job takes
 * several times the memory of its entry (about 2 KB against 320 bytes), so
 * a mover running ahead of the workers fills Redis. A full Redis refuses
 * every write that could grow it (BullMQ's scripts that start with one
 * included), so adds fail and retry and the ingress's own XADD fails too;
 * waiting here keeps Redis under its limit instead, measured at most 97%
 * with two movers (test/faults/redis-full.test.ts). The ingress's
 * high-water mark must stay below it, so the inbox alone never reaches it.
 */
export const MOVE_MEMORY_LIMIT = 0.95;

/** A verdict kept in a variable, for paths that must not wait for Redis. */
export interface RedisMemoryWatch {
  /** True while used_memory is at or above highWater × maxmemory (as of the last reading). */
  full(): boolean;
  /** used_memory / maxmemory at the last reading; undefined with no limit or no reading yet. */
  ratio(): number | undefined;
  /** Reads INFO memory now and returns the new verdict (the last one when Redis cannot be read); never throws. */
  poll(): Promise<boolean>;
  /** Polls every `intervalMs` until close(). */
  start(intervalMs: number): void;
  /** Stops polling; idempotent. */
  close(): void;
}

export interface RedisMemoryWatchOptions {
  /** Any connection to the queue's Redis: even a full Redis answers INFO. */
  connection: Pick<Redis, 'info'>;
  /** Fraction of maxmemory (0 < highWater ≤ 1) from which the watch says full. */
  highWater: number;
  /** Called when the verdict changes, and once when INFO memory lacks the fields (`reading` undefined). */
  onChange?: (full: boolean, reading: RedisMemoryReading | undefined) => void;
}

/** used_memory and maxmemory of an INFO memory reply; undefined when either is missing. */
export function readMemory(info: string): RedisMemoryReading | undefined {
  const fields = parseRedisInfo(info);
  const used = fields.get('used_memory');
  const max = fields.get('maxmemory');
  if (used === undefined || max === undefined || !/^\d+$/.test(used) || !/^\d+$/.test(max)) return undefined;
  return { usedMemory: Number(used), maxmemory: Number(max) };
}

/** The high-water verdict; a Redis with no limit (maxmemory 0) is never full. */
export function aboveHighWater(reading: RedisMemoryReading, highWater: number): boolean {
  return reading.maxmemory > 0 && reading.usedMemory >= reading.maxmemory * highWater;
}

/** Watches Redis's memory against a high-water mark (see the ingress's REDIS_MEMORY_HIGH_WATER and MOVE_MEMORY_LIMIT). */
export function createRedisMemoryWatch(options: RedisMemoryWatchOptions): RedisMemoryWatch {
  const { connection, highWater, onChange } = options;
  let full = false;
  let ratio: number | undefined;
  let unreadable = false;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  async function poll(): Promise<boolean> {
    let reading: RedisMemoryReading | undefined;
    try {
      reading = readMemory(await connection.info('memory'));
    } catch {
      return full; // Redis down or slow: writes fail on their own; the next reading decides.
    }
    if (!reading) {
      if (!unreadable) onChange?.(false, undefined);
      unreadable = true;
      full = false;
      return full;
    }
    ratio = reading.maxmemory > 0 ? reading.usedMemory / reading.maxmemory : undefined;
    const now = aboveHighWater(reading, highWater);
    if (now !== full) onChange?.(now, reading);
    full = now;
    return full;
  }

  return {
    full: () => full,
    ratio: () => ratio,
    poll,
    start(intervalMs) {
      const next = () => {
        if (closed) return;
        timer = setTimeout(() => void poll().finally(next), intervalMs);
        timer.unref();
      };
      void poll().finally(next);
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}

export interface Announcer {
  full(reading: RedisMemoryReading): void;
  room(reading: RedisMemoryReading): void;
  /** INFO memory lacks the fields: no check. */
  unreadable?(): void;
}

/**
 * An onChange that says each stretch above the mark once: `full` when it
 * starts and `room` when it ends. A stretch starting within `quietMs` of the
 * last one said goes unsaid (with its end), so a verdict flapping around
 * the mark every poll writes a pair of lines per 30 s, not per second.
 */
export function announceChanges(
  say: Announcer,
  { quietMs = 30_000, now = Date.now }: { quietMs?: number; now?: () => number } = {},
): NonNullable<RedisMemoryWatchOptions['onChange']> {
  let announced = false;
  let lastAt = Number.NEGATIVE_INFINITY;
  return (full, reading) => {
    if (!reading) say.unreadable?.();
    else if (full && !announced && now() - lastAt >= quietMs) {
      announced = true;
      lastAt = now();
      say.full(reading);
    } else if (!full && announced) {
      announced = false;
      say.room(reading);
    }
  };
}

/**
 * For the inbox movers: resolves false while Redis's memory is at or above
 * MOVE_MEMORY_LIMIT, read before each batch (one INFO per batch of up to a
 * hundred entries), so a batch of jobs never lands in a Redis without room.
 */
export function inboxMoveRoom(connection: Pick<Redis, 'info'>, logger: Pick<Logger, 'warn' | 'info'>) {
  const watch = createRedisMemoryWatch({
    connection,
    highWater: MOVE_MEMORY_LIMIT,
    onChange: announceChanges({
      full: (reading) =>
        logger.warn({ ...reading }, 'Redis memory nearly full: the inbox waits until workers finish jobs'),
      room: (reading) => logger.info({ ...reading }, 'Redis memory has room again: moving the inbox into the queue'),
    }),
  });
  return async (): Promise<boolean> => !(await watch.poll());
}
