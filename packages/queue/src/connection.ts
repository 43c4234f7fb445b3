import type { ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';

/** Reconnect quickly at first, then every two seconds. */
const retryStrategy = (times: number) => Math.min(times * 100, 2000);

/**
 * The ingress's connection. It must fail fast: no offline queue (a command
 * while disconnected fails at once instead of waiting), one retry per
 * command, and a command timeout, so a callback is answered 503 in bounded
 * time instead of hanging past OpenIM's 5 s timeout. No autopipelining:
 * measured slower with BullMQ's scripts.
 */
export function createProducerConnection(url: string, commandTimeoutMs: number): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(commandTimeoutMs, 1000),
    enableAutoPipelining: false,
    retryStrategy,
    lazyConnect: false,
  });
}

/**
 * Options for the worker's connections. BullMQ opens several (one blocking);
 * they must retry forever, so the worker rides out a Redis restart.
 */
export function workerConnectionOptions(url: string): ConnectionOptions {
  return { url, maxRetriesPerRequest: null, enableAutoPipelining: false, retryStrategy };
}

/**
 * A connection with the worker's options, as BullMQ's Worker takes one to share.
 * `name` is set with CLIENT SETNAME, so CLIENT LIST tells the process's connections apart.
 */
export function createWorkerConnection(url: string, name?: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableAutoPipelining: false,
    retryStrategy,
    ...(name ? { connectionName: name } : {}),
  });
}

/** A plain connection for tools and checks (CLI, readiness). */
export function createAdminConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy, connectTimeout: 2000 });
}
