import { setTimeout as delay } from 'node:timers/promises';
import { createProducerConnection, type RedisMemoryWatch, warnAboutRedisDurability } from '@openim-sync/queue';
import {
  closeStep,
  type Logger,
  type ProcessRuntime,
  type ProcessRuntimeDeps,
  processRuntime,
  redactUrl,
} from '@openim-sync/runtime';
import { createCatalog } from '@openim-sync/schema';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { type AdminServer, startAdminServer } from './admin/admin-server.js';
import { createApp } from './app.js';
import { type BeforeCallbackResponder, createBeforeCallbackResponder } from './before-callbacks/responder.js';
import { type CallbackServer, listenForCallbacks } from './callback-server.js';
import type { IngressConfig } from './config.js';
import { createIngressMetrics } from './metrics.js';
import { createProducer } from './producer.js';
import { startMemoryGuard } from './redis-memory.js';
import { exposureWarning } from './security/exposure.js';

/** How long the start waits for Redis before listening anyway. */
const REDIS_WAIT_MS = 5000;

/**
 * The ingress process: what main.ts starts and, on a signal, closes. It
 * waits up to 5 s for Redis, then listens for callbacks, then starts the
 * admin listener. Its Redis connections: the producer's, which fails fast
 * (see createProducerConnection) and carries the acks' appends and the
 * memory check; and the admin listener's own, so a dashboard page listing
 * thousands of failed jobs never sits in front of an ack.
 */
export function createIngressRuntime({ config, logger, onFatal }: ProcessRuntimeDeps<IngressConfig>): ProcessRuntime {
  const connection = connectProducer(config, logger);
  // Metrics are collected only where they can be read: /metrics on the admin listener, with METRICS_*.
  const metrics = config.admin?.metrics ? createIngressMetrics({ registry: new Registry() }) : undefined;
  const highWater = config.redisMemoryHighWater;
  let memory: RedisMemoryWatch | undefined;
  let beforeCallbacks: BeforeCallbackResponder | undefined;
  let http: CallbackServer | undefined;
  let admin: AdminServer | undefined;
  let shuttingDown = false;
  const starting = new AbortController();

  async function listen(): Promise<CallbackServer | undefined> {
    const producer = createProducer({
      connection,
      settings: config.queue,
      timeoutMs: config.enqueueTimeoutMs,
      coalesceWrites: config.enqueueCoalesceWrites,
      memory,
    });
    beforeCallbacks = createBeforeCallbackResponder({
      settings: config.beforeCallbackForwarding,
      logger,
      observer: metrics?.beforeCallbacks,
    });
    const app = createApp({
      config,
      catalog: createCatalog(config.enabledCommands),
      producer: metrics ? metrics.instrumentProducer(producer) : producer,
      observer: metrics?.observer,
      logger,
      isShuttingDown: () => shuttingDown,
      beforeCallbacks,
    });
    const options = { fetch: app.fetch, port: config.port, host: config.host, limits: config.serverLimits };
    return listenForCallbacks(options).catch((err) => {
      logger.fatal({ err }, 'cannot listen');
      onFatal('listen error');
      return undefined;
    });
  }

  async function startAdmin(adminConfig: NonNullable<IngressConfig['admin']>) {
    const options = { config: adminConfig, queueSettings: config.queue, metrics, logger };
    admin = await startAdminServer(options).catch((err) => {
      logger.fatal({ err }, 'cannot start the admin listener');
      onFatal('admin listen error');
      return undefined;
    });
  }

  async function run() {
    // The producer refuses callbacks until Redis is ready, and OpenIM drops a refused
    // callback, so listen once Redis is up; if it is down, listen anyway after a few
    // seconds (503 until it is back, /healthz answers).
    await waitForReady(connection, REDIS_WAIT_MS, starting.signal);
    if (shuttingDown) return;
    void warnAboutRedisDurability(connection, logger);
    memory = highWater > 0 ? startMemoryGuard({ connection, highWater, logger }) : undefined;
    metrics?.readRedisMemory(() => memory?.ratio());
    http = await listen();
    if (!http || shuttingDown) return;
    logger.info({ port: http.port, basePath: config.basePath, queue: config.queue.name }, 'ingress listening');
    const exposure = exposureWarning(config.host, config.security);
    if (exposure) logger.warn({ host: config.host }, exposure);
    if (config.admin) await startAdmin(config.admin);
    else
      logger.info(
        'admin listener off: set ADMIN_USER/ADMIN_PASSWORD for the dashboard, METRICS_USER/METRICS_PASSWORD for /metrics',
      );
  }

  async function stop(startSettled: Promise<void>) {
    // /readyz turns 503, and the listener stops accepting and keeping connections alive.
    shuttingDown = true;
    starting.abort();
    await startSettled;
    const drained = http?.close();
    // Callbacks in flight get their ack: their appends still need Redis, and their answers the App.
    await closeStep(logger, 'http', () => drained);
    await closeStep(logger, 'before-callbacks', () => beforeCallbacks?.close());
    await closeStep(logger, 'redis-memory', () => memory?.close());
    await closeStep(logger, 'admin', () => admin?.close());
    await closeStep(logger, 'redis', () => connection.quit().catch(() => connection.disconnect()));
  }

  return processRuntime(run, stop);
}

function connectProducer(config: IngressConfig, logger: Logger): Redis {
  const connection = createProducerConnection(config.queue.redisUrl, config.enqueueTimeoutMs);
  let lastError = 0;
  connection.on('ready', () => logger.info({ redis: redactUrl(config.queue.redisUrl) }, 'redis connected'));
  connection.on('error', (err) => {
    // ioredis repeats the error on every reconnect attempt; say it every 30 s at most.
    if (Date.now() - lastError < 30_000) return;
    lastError = Date.now();
    logger.error({ err }, 'redis unavailable: callbacks get 503 until it is back');
  });
  return connection;
}

/** Resolves once Redis is ready, after `timeoutMs`, or when `signal` aborts. */
async function waitForReady(connection: Redis, timeoutMs: number, signal: AbortSignal): Promise<void> {
  if (connection.status === 'ready') return;
  const ready = new Promise((resolve) => connection.once('ready', resolve));
  const waited = delay(timeoutMs, undefined, { ref: false, signal }).catch(() => {});
  await Promise.race([ready, waited]);
}
