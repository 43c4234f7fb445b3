import { createAdminConnection, createCallbackQueue, type QueueSettings } from '@openim-sync/queue';
import { type Logger, type SideListener, startSideListener } from '@openim-sync/runtime';
import type { Registry } from 'prom-client';
import { createHealthApp, type Readiness } from './health-app.js';
import type { MetricsConfig } from './metrics/metrics-config.js';
import { type QueueReader, registerQueueGauges } from './metrics/queue-gauges.js';

export interface HealthServerOptions {
  config: MetricsConfig;
  queueSettings: QueueSettings;
  registry: Registry;
  readiness: Readiness;
  logger: Logger;
  /** How long one read of the queue's depth serves scrapes. */
  queueCacheMs?: number;
}

export interface HealthServer {
  /** The bound port (useful with port 0). */
  port: number;
  /** Stops listening and closes the queue connection of the gauges; idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the worker's metrics and health listener, with the queue gauges on
 * a Redis connection of their own that fails fast (a scrape during an outage
 * must not hang). Resolves once listening; rejects when the port is taken.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { config, queueSettings, registry, readiness, logger, queueCacheMs } = options;
  const connection = createAdminConnection(queueSettings.redisUrl);
  // The worker's own connections report Redis outages; this one only feeds the gauges.
  connection.on('error', () => {});
  const queue = createCallbackQueue(queueSettings, connection);
  queue.on('error', () => {});
  registerQueueGauges({ registry, queue: queue as unknown as QueueReader, logger, cacheMs: queueCacheMs });
  const closeRedis = async () => {
    await queue.close().catch(() => {});
    await connection.quit().catch(() => connection.disconnect());
  };

  const app = createHealthApp({ registry, readiness, credentials: config.credentials });
  let listener: SideListener;
  try {
    listener = await startSideListener(app.fetch, config);
  } catch (err) {
    await closeRedis();
    throw err;
  }
  const { port } = listener;
  logger.info({ port, metricsAuth: config.credentials !== undefined }, 'metrics and health listening');

  let closing: Promise<void> | undefined;
  return {
    port,
    close: () => {
      closing ??= listener.close().then(closeRedis);
      return closing;
    },
  };
}
