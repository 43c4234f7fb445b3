import { Redis } from 'ioredis';

/**
 * Deletes every key under a BullMQ prefix and queue (what a test created),
 * leaving all other keys of the shared Redis alone.
 */
export async function deleteQueueKeys(redisUrl: string, prefix: string, queueName: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:${queueName}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
