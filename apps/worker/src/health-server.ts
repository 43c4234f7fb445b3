import { type Logger, type SideListener, startSideListener } from '@openim-sync/runtime';
import type { Registry } from 'prom-client';
import { createHealthApp, type Readiness } from './health-app.js';
import type { MetricsConfig } from './metrics/metrics-config.js';
import { type QueueReader, registerQueueGauges } from './metrics/queue-gauges.js';

export interface HealthServerOptions {
  config: MetricsConfig;
  /** The process's callback queue handle (its connection is the caller's): the queue gauges read it. */
  queue: QueueReader;
  registry: Registry;
  readiness: Readiness;
  logger: Logger;
  /** How long one read of the queue's depth serves scrapes. */
  queueCacheMs?: number;
}

export interface HealthServer {
  /** The bound port (useful with port 0). */
  port: number;
  /** Stops listening; idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the worker's metrics and health listener, with the queue gauges.
 * Resolves once listening; rejects when the port is taken.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { config, queue, registry, readiness, logger, queueCacheMs } = options;
  registerQueueGauges({ registry, queue, logger, cacheMs: queueCacheMs });
  const app = createHealthApp({ registry, readiness, credentials: config.credentials });
  const listener: SideListener = await startSideListener(app.fetch, config);
  const { port } = listener;
  logger.info({ port, metricsAuth: config.credentials !== undefined }, 'metrics and health listening');

  let closing: Promise<void> | undefined;
  return {
    port,
    close: () => {
      closing ??= listener.close();
      return closing;
    },
  };
}
