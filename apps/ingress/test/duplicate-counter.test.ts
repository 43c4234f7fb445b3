import {
  type CallbackQueue,
  callbackJobId,
  callbackJobOptions,
  createAdminConnection,
  createCallbackQueue,
  type QueueSettings,
} from '@openim-sync/queue';
import { deleteQueueKeys } from '@openim-sync/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDuplicateCounter } from '../src/admin/duplicate-counter.js';
import { testQueueSettings } from './stack.js';

describe('duplicate counter (real Redis)', () => {
  let settings: QueueSettings;
  let connection: Redis;
  let queue: CallbackQueue;

  beforeAll(async () => {
    settings = testQueueSettings(inject('redisUrl'), 'dups');
    connection = createAdminConnection(settings.redisUrl);
    queue = createCallbackQueue(settings, connection);
    await queue.waitUntilReady();
  });

  afterAll(async () => {
    await queue?.close();
    connection?.disconnect();
    if (settings) await deleteQueueKeys(settings.redisUrl, settings.prefix, settings.name);
  });

  /** Adds a callback job the way the ingress does with CONTENT_DEDUP_SECONDS set: the same `operationID` and body map to the same job. */
  async function add(operationID: string) {
    const body = Buffer.from(`{"n":"${operationID}"}`);
    const jobId = callbackJobId('callbackAfterQuitGroupCommand', operationID, body, true);
    const data = { command: 'callbackAfterQuitGroupCommand', operationID } as never;
    await queue.add('callbackAfterQuitGroupCommand', data, callbackJobOptions(settings, jobId, 60_000));
  }

  it('counts only the duplicates added since it started, across batches, once each', async () => {
    await add('before');
    await add('before'); // before the counter started: not counted
    const counter = createDuplicateCounter({ connection, eventsKey: queue.keys.events as string, batch: 3 });
    expect(await counter.start()).toBe(0);
    for (const id of ['a', 'b', 'a', 'c', 'a', 'b']) await add(id);
    // Two scrapes at once read the stream one after the other.
    const [first, second] = await Promise.all([counter.read(), counter.read()]);
    expect(first + second).toBe(3);
    expect(await counter.read()).toBe(0);
    await add('c');
    expect(await counter.read()).toBe(1);
  });

  it('stops after maxBatches and picks up the rest at the next read', async () => {
    const counter = createDuplicateCounter({
      connection,
      eventsKey: queue.keys.events as string,
      batch: 2,
      maxBatches: 1,
    });
    await counter.start();
    for (let i = 0; i < 3; i++) await add('z');
    let total = 0;
    for (let i = 0; i < 10; i++) total += await counter.read();
    expect(total).toBe(2);
  });

  it('reads 0 instead of failing when Redis is unreachable', async () => {
    const broken = createAdminConnection('redis://127.0.0.1:1');
    broken.on('error', () => {});
    const counter = createDuplicateCounter({ connection: broken, eventsKey: 'x' });
    expect(await counter.start()).toBe(0);
    expect(await counter.read()).toBe(0);
    broken.disconnect();
  });
});
