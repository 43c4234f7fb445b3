import { type BasicCredentials, cachedCheck } from '@openim-sync/runtime';
import type { RedisClient } from 'bullmq';
import { Hono } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import type { Registry } from 'prom-client';

/** How long one readiness answer serves every later probe. */
const READY_CACHE_MS = 1000;

/** `'ready'`, or why the worker is not (shown in /readyz's body). */
export type Readiness = () => Promise<string>;

export interface HealthAppDeps {
  registry: Registry;
  readiness: Readiness;
  /**
   * Basic auth on /metrics; without it there is no /metrics (never an open one).
   * /healthz and /readyz stay open for orchestrators.
   */
  credentials?: BasicCredentials | undefined;
}

/** The worker's small HTTP app: /healthz (process up), /readyz (can take jobs), /metrics. */
export function createHealthApp({ registry, readiness, credentials }: HealthAppDeps): Hono {
  const app = new Hono();
  // /readyz is open to anyone who reaches the port: one readiness check a second at most, however many ask.
  const ready = cachedCheck(readiness, READY_CACHE_MS);
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const status = await ready();
    return c.json({ status }, status === 'ready' ? 200 : 503);
  });
  if (credentials) {
    app.use('/metrics', basicAuth({ ...credentials, realm: 'openim-sync worker metrics' }));
    app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  }
  app.notFound((c) => c.json({ status: 'not found' }, 404));
  return app;
}

/** What readiness looks at on a BullMQ worker. */
export interface WorkerState {
  isRunning(): boolean;
  getBackend(): { client: Promise<RedisClient>; blockingClient: Promise<RedisClient> | undefined };
}

/**
 * Ready when the worker's loop runs and both its Redis connections (commands
 * and the blocking fetch) are connected. Never waits longer than `timeoutMs`:
 * BullMQ hands out a client only once it first connected.
 */
export async function workerReadiness(worker: WorkerState, timeoutMs = 1000): Promise<string> {
  if (!worker.isRunning()) return 'not running';
  const backend = worker.getBackend();
  const clients = [backend.client, backend.blockingClient].filter((client) => client !== undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    const connected = await Promise.race([Promise.all(clients), timeout]);
    return connected?.every((client) => client.status === 'ready') ? 'ready' : 'redis unavailable';
  } catch {
    return 'redis unavailable';
  } finally {
    clearTimeout(timer);
  }
}
