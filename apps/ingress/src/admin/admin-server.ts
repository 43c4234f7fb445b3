import {
  createAdminConnection,
  createCallbackQueue,
  inboxKeys,
  inboxLengths,
  type QueueSettings,
} from '@openim-sync/queue';
import { type Logger, type SideListener, startSideListener } from '@openim-sync/runtime';
import type { Queue } from 'bullmq';
import type { IngressMetrics } from '../metrics.js';
import { createAdminApp } from './admin-app.js';
import type { AdminConfig } from './admin-config.js';
import { createDuplicateCounter } from './duplicate-counter.js';

export interface AdminServerOptions {
  config: AdminConfig;
  queueSettings: QueueSettings;
  /** Served at /metrics when `config.metrics` holds its credential. */
  metrics?: IngressMetrics | undefined;
  logger: Logger;
}

export interface AdminServer {
  /** The bound port (useful with port 0). */
  port: number;
  /** Stops listening and closes the admin's Redis connection; idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the admin listener with a Redis connection of its own, apart from
 * the producer's: a dashboard page listing thousands of failed jobs must not
 * sit in front of a callback's enqueue on the same connection. Resolves once
 * listening; rejects when the port cannot be bound.
 */
export async function startAdminServer({ config, queueSettings, metrics, logger }: AdminServerOptions) {
  const connection = createAdminConnection(queueSettings.redisUrl);
  // The producer's connection already reports Redis outages; the dashboard shows its own errors.
  connection.on('error', () => {});
  const queue = createCallbackQueue(queueSettings, connection) as unknown as Queue;
  queue.on('error', (err) => logger.debug({ err }, 'admin queue error'));
  const inbox = inboxKeys(queueSettings);
  // Two O(1) commands in one round trip, on the admin's connection: never in front of an ack.
  const readInbox = () => inboxLengths(connection, inbox);
  // The queue-wide series are read only where they are served: with METRICS_*.
  const served = config.metrics ? metrics : undefined;
  if (served) {
    const duplicates = createDuplicateCounter({ connection, eventsKey: queue.keys.events as string });
    served.countDuplicates(duplicates.read);
    void queue.waitUntilReady().then(duplicates.start, () => {});
    served.countInbox(readInbox);
  }
  const scrape = served && config.metrics && { registry: served.registry, credentials: config.metrics };
  const dashboard = config.dashboard && { queue, readInbox, credentials: config.dashboard, readOnly: config.readOnly };

  const closeRedis = async () => {
    await queue.close().catch(() => {});
    await connection.quit().catch(() => connection.disconnect());
  };
  let listener: SideListener;
  try {
    const app = createAdminApp({ dashboard, metrics: scrape });
    listener = await startSideListener(app.fetch, config);
  } catch (err) {
    await closeRedis();
    throw err;
  }
  const { port } = listener;
  const surfaces = { dashboard: dashboard ? '/' : 'off', metrics: scrape ? '/metrics' : 'off' };
  logger.info({ port, ...surfaces, readOnly: config.readOnly }, 'admin listening (basic auth)');

  let closing: Promise<void> | undefined;
  return {
    port,
    close: () => {
      // Nothing on the admin listener needs draining: cut open dashboard connections.
      closing ??= listener.close().then(closeRedis);
      return closing;
    },
  } satisfies AdminServer;
}
