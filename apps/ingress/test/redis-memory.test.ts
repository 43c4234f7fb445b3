import { createCallbackQueue, createProducerConnection, inboxKeys, type QueueSettings } from '@openim-sync/queue';
import { createCatalog } from '@openim-sync/schema';
import { type Cleanups, captureLogger, runCleanups, startLimitedRedis, uniqueName } from '@openim-sync/testing';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createIngressMetrics } from '../src/metrics.js';
import { createProducer } from '../src/producer.js';
import { startMemoryGuard } from '../src/redis-memory.js';

const MB = 1024 * 1024;
const QUIT = 'callbackAfterQuitGroupCommand';
const quitBody = (userID: string) => `{"callbackCommand":"${QUIT}","groupID":"g-1","userID":"${userID}"}`;
const FIVE_FIELDS = ['actionCode', 'errCode', 'errDlt', 'errMsg', 'nextCode'];

const cleanups: Cleanups = [];
afterEach(() => runCleanups(cleanups));

function settingsFor(url: string): QueueSettings {
  const name = uniqueName('redis_memory');
  return loadConfig({ REDIS_URL: url, QUEUE_NAME: name, QUEUE_PREFIX: name }).queue;
}

/** The ingress app as main.ts wires it: real producer, the memory guard, the metrics. */
async function startIngress(url: string, highWater: number) {
  const settings = settingsFor(url);
  const connection = createProducerConnection(url, 1000);
  connection.on('error', () => {});
  const queue = createCallbackQueue(settings, connection);
  cleanups.push(async () => {
    await queue.close();
    connection.disconnect();
  });
  await queue.waitUntilReady();
  const log = captureLogger();
  const memory = startMemoryGuard({ connection, highWater, logger: log.logger, intervalMs: 50 });
  cleanups.push(() => memory.close());
  const metrics = createIngressMetrics({ registry: new Registry(), processMetrics: false });
  metrics.readRedisMemory(() => memory.ratio());
  const producer = createProducer({ connection, settings, timeoutMs: 1000, memory });
  const app = createApp({
    config: { basePath: '/callback', maxBodyBytes: MB },
    catalog: createCatalog(),
    producer: metrics.instrumentProducer(producer),
    observer: metrics.observer,
    logger: log.logger,
  });
  let sent = 0;
  let acked = 0;
  const post = async () => {
    const response = await app.request(`/callback/${QUIT}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', operationID: `op-${++sent}` },
      body: quitBody(`u-${sent}`),
    });
    if (response.status === 200) acked++;
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const inbox = () => connection.xlen(inboxKeys(settings).stream);
  return { post, inbox, acked: () => acked, memory, metrics, log };
}

describe('the ingress above the Redis memory high-water mark', () => {
  it('answers 503 with the callback error body above the mark and acknowledges again below it, by itself', {
    timeout: 60_000,
  }, async () => {
    const redis = await startLimitedRedis(16 * MB, cleanups);
    const ingress = await startIngress(redis.url, 0.5);
    expect((await ingress.post()).status).toBe(200);

    await redis.fill(0.6);
    const refused = await vi.waitFor(
      async () => {
        const answer = await ingress.post();
        expect(answer.status).toBe(503);
        return answer.body;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(Object.keys(refused).sort()).toEqual(FIVE_FIELDS);
    expect(refused).toMatchObject({
      actionCode: 0,
      errCode: 503,
      errMsg: expect.stringMatching(/REDIS_MEMORY_HIGH_WATER/),
    });
    expect(ingress.memory.ratio()).toBeGreaterThanOrEqual(0.5);
    const scrape = await ingress.metrics.registry.metrics();
    expect(scrape).toMatch(/openim_sync_ingress_rejects_total\{reason="redis-memory"\} [1-9]/);
    const gauge = Number(/^openim_sync_redis_memory_ratio ([\d.]+)$/m.exec(scrape)?.[1]);
    expect(gauge).toBeGreaterThanOrEqual(0.5);

    await redis.empty();
    await vi.waitFor(async () => expect((await ingress.post()).status).toBe(200), { timeout: 10_000, interval: 50 });
    // Only acknowledged callbacks reached the inbox.
    expect(await ingress.inbox()).toBe(ingress.acked());
    expect(ingress.log.messages().filter((line) => !line.startsWith('debug'))).toEqual([
      'warn: Redis memory above the high-water mark: callbacks get 503 until it drains',
      'info: Redis memory below the high-water mark: acknowledging callbacks again',
    ]);
  });

  it('has no high-water check while Redis has no maxmemory', { timeout: 60_000 }, async () => {
    const redis = await startLimitedRedis(0, cleanups);
    const ingress = await startIngress(redis.url, 0.1);
    await redis.fill(1, 8 * MB);
    await ingress.memory.poll();
    expect(ingress.memory.full()).toBe(false);
    expect(ingress.memory.ratio()).toBeUndefined();
    expect((await ingress.post()).status).toBe(200);
  });
});
