import {
  type CallbackQueue,
  callbackJobId,
  callbackJobOptions,
  createAdminConnection,
  createCallbackQueue,
  createWorkerConnection,
  type QueueSettings,
  toQueueSettings,
} from '@openim-sync/queue';
import { createLogger } from '@openim-sync/runtime';
import { deleteQueueKeys, freePort, uniqueName } from '@openim-sync/testing';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { workerReadiness } from '../src/health-app.js';
import { type HealthServer, startHealthServer } from '../src/health-server.js';
import type { QueueReader } from '../src/metrics/queue-gauges.js';
import { createWorkerMetrics } from '../src/metrics/worker-metrics.js';
import { createProcessor } from '../src/processor.js';
import { createLogSink } from '../src/sinks/log-sink.js';
import { type CallbackWorker, createCallbackWorker } from '../src/worker.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const SCRAPER = { username: 'prom', password: 'scrape-secret' };
const scrapeAuth = { Authorization: `Basic ${Buffer.from('prom:scrape-secret').toString('base64')}` };
const COMMAND = 'callbackAfterQuitGroupCommand';

describe('worker metrics and health listener (real Redis)', () => {
  let settings: QueueSettings;
  let connection: Redis;
  let producer: CallbackQueue;
  let server: HealthServer;
  let worker: CallbackWorker;
  let closed = false;
  const metrics = createWorkerMetrics({ registry: new Registry(), processMetrics: false });
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;

  /** One sample of a scrape over real HTTP. */
  async function sample(series: string): Promise<number | undefined> {
    const text = await (await fetch(url('/metrics'), { headers: scrapeAuth })).text();
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  }

  beforeAll(async () => {
    settings = toQueueSettings({
      REDIS_URL: inject('redisUrl'),
      QUEUE_NAME: uniqueName('health'),
      QUEUE_PREFIX: uniqueName('health_prefix'),
      RETRY_SCHEDULE: [50],
      KEEP_COMPLETED_COUNT: 100,
      KEEP_COMPLETED_AGE_SECONDS: 600,
      KEEP_FAILED_COUNT: 100,
      KEEP_FAILED_AGE_SECONDS: 600,
    });
    connection = createAdminConnection(settings.redisUrl);
    producer = createCallbackQueue(settings, connection);
    const sinks = metrics.instrumentSinks([createLogSink(logger)]);
    worker = createCallbackWorker({
      config: {
        concurrency: 2,
        lockDurationMs: 30_000,
        stalledIntervalMs: 30_000,
        maxStalledCount: 1,
        queue: settings,
      },
      processor: metrics.instrumentProcessor(createProcessor({ sinks, logger })),
      logger,
    });
    metrics.observeJobs(worker);
    server = await startHealthServer({
      config: { port: 0, host: '127.0.0.1', credentials: SCRAPER },
      queue: producer as unknown as QueueReader,
      registry: metrics.registry,
      readiness: async () => (closed ? 'shutting down' : workerReadiness(worker)),
      logger,
      queueCacheMs: 0,
    });
  });

  afterAll(async () => {
    await worker?.close();
    await server?.close();
    await producer?.close();
    connection?.disconnect();
    if (settings) await deleteQueueKeys(settings.redisUrl, settings.prefix, settings.name);
  });

  it('reports the queue depth and the oldest waiting job before any worker runs', async () => {
    const enqueuedAt = Date.now();
    for (const userID of ['u1', 'u2', 'u3']) {
      const payload = { callbackCommand: COMMAND, groupID: 'g1', userID };
      const body = Buffer.from(JSON.stringify(payload));
      const data = {
        command: COMMAND,
        operationID: `op-${userID}`,
        receivedAt: Date.now(),
        event: { type: 'group.member.quit' as const, groupID: 'g1', userID },
        payload,
      };
      const jobId = callbackJobId(COMMAND, data.operationID, body);
      await producer.add(COMMAND, data, callbackJobOptions(settings, jobId, 60_000));
    }
    expect(await sample('openim_sync_queue_jobs{state="waiting"}')).toBe(3);
    expect(await sample('openim_sync_queue_jobs{state="completed"}')).toBe(0);
    const age = await sample('openim_sync_queue_oldest_waiting_age_seconds');
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThanOrEqual((Date.now() - enqueuedAt) / 1000 + 0.01);
    const readyz = await fetch(url('/readyz'));
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toEqual({ status: 'not running' });
    expect((await fetch(url('/healthz'))).status).toBe(200);
  });

  it('is ready while the worker runs, and counts what it applied end to end', async () => {
    void worker.run();
    await vi.waitFor(async () => expect((await fetch(url('/readyz'))).status).toBe(200), { timeout: 10_000 });
    await vi.waitFor(
      async () =>
        expect(await sample(`openim_sync_worker_jobs_total{command="${COMMAND}",outcome="completed"}`)).toBe(3),
      { timeout: 10_000 },
    );
    expect(await sample(`openim_sync_worker_end_to_end_seconds_count{command="${COMMAND}"}`)).toBe(3);
    expect(await sample(`openim_sync_worker_end_to_end_seconds_bucket{le="+Inf",command="${COMMAND}"}`)).toBe(3);
    expect(await sample(`openim_sync_worker_job_duration_seconds_count{command="${COMMAND}",result="ok"}`)).toBe(3);
    expect(await sample(`openim_sync_worker_sink_events_total{sink="log",command="${COMMAND}",outcome="logged"}`)).toBe(
      3,
    );
    expect(await sample('openim_sync_queue_jobs{state="waiting"}')).toBe(0);
    expect(await sample('openim_sync_queue_jobs{state="completed"}')).toBe(3);
    expect(await sample('openim_sync_queue_oldest_waiting_age_seconds')).toBe(0);
  });

  it('turns /readyz to 503 once shutdown starts and after the worker closed', async () => {
    // /readyz keeps an answer for a second, however often it is probed.
    const readyz = async () => {
      const response = await fetch(url('/readyz'));
      return { status: response.status, body: await response.json() };
    };
    closed = true;
    await vi.waitFor(async () => expect(await readyz()).toEqual({ status: 503, body: { status: 'shutting down' } }), {
      timeout: 3000,
      interval: 100,
    });
    closed = false;
    await worker.close();
    await vi.waitFor(async () => expect(await readyz()).toEqual({ status: 503, body: { status: 'not running' } }), {
      timeout: 3000,
      interval: 100,
    });
    expect((await fetch(url('/healthz'))).status).toBe(200);
  });

  it('stops listening on close', async () => {
    await server.close();
    await expect(fetch(url('/healthz'))).rejects.toThrow();
    await server.close(); // idempotent
  });
});

describe('worker metrics with Redis unreachable', () => {
  it('answers the scrape within the read timeout: Redis down, no queue depth, no NaN, build info there', async () => {
    // A port nothing listens on: every read of the gauges fails.
    const settings = toQueueSettings({
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      QUEUE_NAME: uniqueName('health_down'),
      QUEUE_PREFIX: uniqueName('health_down_prefix'),
      RETRY_SCHEDULE: [50],
      KEEP_COMPLETED_COUNT: 100,
      KEEP_COMPLETED_AGE_SECONDS: 600,
      KEEP_FAILED_COUNT: 100,
      KEEP_FAILED_AGE_SECONDS: 600,
    });
    const metrics = createWorkerMetrics({ registry: new Registry(), processMetrics: false });
    // As in the worker: the queue handle on a command connection that queues commands until Redis is back.
    const down = createWorkerConnection(settings.redisUrl);
    down.on('error', () => {});
    const queue = createCallbackQueue(settings, down);
    queue.on('error', () => {});
    const server = await startHealthServer({
      config: { port: 0, host: '127.0.0.1', credentials: SCRAPER },
      queue: queue as unknown as QueueReader,
      registry: metrics.registry,
      readiness: async () => 'starting',
      logger,
      queueCacheMs: 0,
    });
    try {
      const started = performance.now();
      const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`, { headers: scrapeAuth })).text();
      expect(performance.now() - started).toBeLessThan(3000);
      expect(text).toMatch(/^openim_sync_redis_up 0$/m);
      expect(text).not.toMatch(/^openim_sync_queue_jobs\{/m);
      expect(text).not.toContain('NaN');
      expect(text).toMatch(
        /^openim_sync_build_info\{app="worker",version="\d+\.\d+\.\d+[^"]*",node_version="[\d.]+"\} 1$/m,
      );
    } finally {
      await server.close();
      down.disconnect();
      await queue.close().catch(() => {});
    }
  });
});
