import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';

/** Deletes every key of one bench queue (prefix:name:*), nothing else. */
export async function deleteQueueKeys(redisUrl, prefix, name) {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:${name}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Redis's used_memory in bytes. */
export async function usedMemory(redisUrl) {
  const redis = new Redis(redisUrl);
  try {
    const info = await redis.info('memory');
    return Number(info.match(/used_memory:(\d+)/)?.[1]);
  } finally {
    redis.disconnect();
  }
}

/** CPU seconds Redis has used (user + system, its own INFO), so any Redis can be measured, local or not. */
export async function redisCpuSeconds(redis) {
  const info = await redis.info('cpu');
  const field = (name) => Number(info.match(new RegExp(`${name}:([\\d.]+)`))?.[1] ?? Number.NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** Redis's CPU seconds per second over the next `ms`. */
export async function redisCpuPerSecond(redis, ms) {
  const before = await redisCpuSeconds(redis);
  await delay(ms);
  return ((await redisCpuSeconds(redis)) - before) / (ms / 1000);
}
