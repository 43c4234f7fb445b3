import { announceChanges, createRedisMemoryWatch, type RedisMemoryWatch } from '@openim-sync/queue';
import type { Logger } from '@openim-sync/runtime';
import type { Redis } from 'ioredis';

export interface MemoryGuardOptions {
  connection: Pick<Redis, 'info'>;
  /** REDIS_MEMORY_HIGH_WATER, above 0. */
  highWater: number;
  logger: Pick<Logger, 'warn' | 'info'>;
  /** Between readings; about a second is as fresh as the ack path needs, and costs Redis nothing. */
  intervalMs?: number;
}

/**
 * The ingress's high-water mark of Redis memory. Above it callbacks get 503,
 * as when Redis is down, so the rest of maxmemory stays for the workers to
 * turn the inbox into jobs and finish them; below it again, callbacks are
 * acknowledged with no one stepping in. INFO is read on a timer, so the ack
 * path only reads a variable; the verdict lags by one interval at most,
 * which the headroom above the mark absorbs.
 */
export function startMemoryGuard(options: MemoryGuardOptions): RedisMemoryWatch {
  const { connection, highWater, logger, intervalMs = 1000 } = options;
  const watch = createRedisMemoryWatch({
    connection,
    highWater,
    onChange: announceChanges({
      full: (reading) =>
        logger.warn(
          { ...reading, highWater },
          'Redis memory above the high-water mark: callbacks get 503 until it drains',
        ),
      room: (reading) =>
        logger.info({ ...reading, highWater }, 'Redis memory below the high-water mark: acknowledging callbacks again'),
      unreadable: () => logger.warn('INFO memory gives no used_memory/maxmemory: no Redis memory high-water check'),
    }),
  });
  watch.start(intervalMs);
  return watch;
}
