import type { Server, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { serve } from '@hono/node-server';
import { createProducerConnection, warnAboutRedisDurability } from '@openim-sync/queue';
import { createLogger, createShutdown, loadConfigOrExit, redactUrl } from '@openim-sync/runtime';
import { createCatalog } from '@openim-sync/schema';
import { Registry } from 'prom-client';
import { startAdminServer } from './admin/admin-server.js';
import { createApp } from './app.js';
import { createBeforeCallbackResponder } from './before-callbacks/responder.js';
import { loadConfig } from './config.js';
import { createIngressMetrics } from './metrics.js';
import { createProducer } from './producer.js';
import { startMemoryGuard } from './redis-memory.js';
import { answerClientError } from './security/client-error.js';
import { exposureWarning } from './security/exposure.js';
import { toServerOptions } from './server-limits.js';

const config = loadConfigOrExit('ingress', loadConfig);

const logger = createLogger({ name: 'ingress', level: config.logLevel });
const shutdown = createShutdown({ logger, timeoutMs: config.shutdownTimeoutMs });
process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));

const connection = createProducerConnection(config.queue.redisUrl, config.enqueueTimeoutMs);
let lastRedisError = 0;
connection.on('ready', () => logger.info({ redis: redactUrl(config.queue.redisUrl) }, 'redis connected'));
connection.on('error', (err) => {
  // ioredis repeats the error on every reconnect attempt; say it every 30 s at most.
  if (Date.now() - lastRedisError < 30_000) return;
  lastRedisError = Date.now();
  logger.error({ err }, 'redis unavailable: callbacks get 503 until it is back');
});
shutdown.add('redis', () => connection.quit().catch(() => connection.disconnect()));

// The producer refuses callbacks until Redis is ready, and OpenIM drops a refused
// callback, so listen once Redis is up; if it is down, listen anyway after a few
// seconds (503 until it is back, /healthz answers).
const redisReady = new Promise((resolve) => connection.once('ready', resolve));
if (connection.status !== 'ready') await Promise.race([redisReady, delay(5000, undefined, { ref: false })]);

// Metrics are collected only where they can be read: /metrics on the admin listener, with METRICS_*.
const metrics = config.admin?.metrics ? createIngressMetrics({ registry: new Registry() }) : undefined;
const { enqueueTimeoutMs: timeoutMs, enqueueCoalesceWrites: coalesceWrites } = config;
const settings = config.queue;
void warnAboutRedisDurability(connection, logger);
const highWater = config.redisMemoryHighWater;
const memory = highWater > 0 ? startMemoryGuard({ connection, highWater, logger }) : undefined;
if (memory) shutdown.add('redis-memory', () => memory.close());
metrics?.readRedisMemory(() => memory?.ratio());
const producer = createProducer({ connection, settings, timeoutMs, coalesceWrites, memory });

const beforeCallbacks = createBeforeCallbackResponder({
  settings: config.beforeCallbackForwarding,
  logger,
  observer: metrics?.beforeCallbacks,
});
// Registered before the listener, so it closes after in-flight requests drained (reverse order).
shutdown.add('before-callbacks', () => beforeCallbacks.close());

let shuttingDown = false;
const app = createApp({
  config,
  catalog: createCatalog(config.enabledCommands),
  producer: metrics ? metrics.instrumentProducer(producer) : producer,
  observer: metrics?.observer,
  logger,
  isShuttingDown: () => shuttingDown,
  beforeCallbacks,
});

const limits = config.serverLimits;
const listen = { fetch: app.fetch, port: config.port, hostname: config.host, serverOptions: toServerOptions(limits) };
const server = serve(listen, (info) => {
  logger.info({ port: info.port, basePath: config.basePath, queue: settings.name }, 'ingress listening');
  const exposure = exposureWarning(config.host, config.security);
  if (exposure) logger.warn({ host: config.host }, exposure);
}) as Server;
server.maxConnections = limits.maxConnections;
server.on('clientError', answerClientError);
server.on('error', (err) => {
  logger.fatal({ err }, 'cannot listen');
  void shutdown.run('listen error').finally(() => process.exit(1));
});

// Once shutting down, every response ends its connection: a kept-alive connection that
// OpenIM goes on reusing would otherwise hold the server open until the deadline.
const inFlight = new Set<ServerResponse>();
server.on('request', (_req, res: ServerResponse) => {
  if (shuttingDown) res.shouldKeepAlive = false;
  inFlight.add(res);
  res.once('close', () => inFlight.delete(res));
});

// Stop accepting, let in-flight callbacks get their ack, then close the Redis connection.
shutdown.add('http', async () => {
  shuttingDown = true;
  for (const res of inFlight) res.shouldKeepAlive = false;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
});
shutdown.installSignalHandlers();

if (config.admin) {
  await startAdminServer({ config: config.admin, queueSettings: config.queue, metrics, logger }).then(
    (admin) => shutdown.add('admin', () => admin.close()),
    (err) => {
      logger.fatal({ err }, 'cannot start the admin listener');
      return shutdown.run('admin listen error').finally(() => process.exit(1));
    },
  );
} else {
  logger.info(
    'admin listener off: set ADMIN_USER/ADMIN_PASSWORD for the dashboard, METRICS_USER/METRICS_PASSWORD for /metrics',
  );
}
