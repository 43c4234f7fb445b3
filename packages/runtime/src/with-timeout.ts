/**
 * `promise`, or a rejection after `ms` milliseconds (the error says so),
 * for calls whose client can wait without bound: an ioredis PING behind
 * `/readyz`, or BullMQ waiting for a connection that never came up.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what = 'no answer'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
