import { Redis } from 'ioredis';

/** Connection attempts after the first before the tool gives up on Redis. */
const RECONNECT_ATTEMPTS = 3;

/** Raised when Redis cannot be reached in time; the message names the cause. */
export class RedisUnreachableError extends Error {
  override name = 'RedisUnreachableError';
}

/**
 * The tool's own Redis connection. Unlike the services', it must give up:
 * an operator running `jobs counts` against a wrong REDIS_URL wants an error
 * in seconds, not a command that hangs while it reconnects forever. The
 * offline queue stays on (unlike createAdminConnection's) so commands issued
 * during a brief reconnect wait for it instead of failing at once; the
 * retry strategy bounds that wait.
 */
export function createCliConnection(url: string, connectTimeoutMs = 2000): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: 1,
    // How long a disconnect waits for a half-open socket before destroying it
    // (ioredis's 2 s default would hold the tool's exit).
    disconnectTimeout: 200,
    enableAutoPipelining: false,
    retryStrategy: (times) => (times > RECONNECT_ATTEMPTS ? null : times * 100),
  });
  // Errors surface as rejected commands or through waitUntilConnected; without
  // a listener ioredis would also print each one to the console.
  redis.on('error', () => {});
  return redis;
}

/**
 * Connects and resolves once Redis answers; rejects with a
 * {@link RedisUnreachableError} when the retries are used up or `timeoutMs`
 * passes, whichever comes first.
 */
export function waitUntilConnected(redis: Redis, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let lastError = '';
    const onError = (err: Error & { code?: string }) => {
      lastError = err.message || err.code || String(err);
    };
    const finish = (err?: Error) => {
      clearTimeout(timer);
      redis.off('error', onError);
      redis.off('ready', onReady);
      redis.off('end', onEnd);
      if (err) {
        // After "end" the socket is gone: disconnecting again would only arm a timer.
        if (redis.status !== 'end') redis.disconnect();
        reject(err);
      } else resolve();
    };
    const onReady = () => finish();
    const onEnd = () => finish(new RedisUnreachableError(lastError || 'connection closed'));
    const timer = setTimeout(
      () => finish(new RedisUnreachableError(`no answer within ${timeoutMs} ms${lastError ? ` (${lastError})` : ''}`)),
      timeoutMs,
    );
    redis.on('error', onError);
    redis.once('ready', onReady);
    redis.once('end', onEnd);
    // The outcome is reported through the events above, retries included.
    redis.connect().catch(() => {});
  });
}

/** Closes the connection politely when it is up, at once otherwise. Safe to call twice. */
export async function closeConnection(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // fall through to a hard disconnect
    }
  }
  redis.disconnect();
}
