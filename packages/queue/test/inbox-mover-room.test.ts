import { createCatalog } from '@openim-sync/schema';
import {
  type Cleanups,
  captureLogger,
  runCleanups,
  startLimitedRedis,
  trackConnection,
  uniqueName,
} from '@openim-sync/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  appendToInbox,
  createCallbackQueue,
  createInboxMover,
  createWorkerConnection,
  inboxKeys,
  inboxMoveRoom,
  queueEnv,
  toQueueSettings,
} from '../src/index.js';

const MB = 1024 * 1024;
const QUIT = 'callbackAfterQuitGroupCommand';
const quitBody = (userID: string) => `{"callbackCommand":"${QUIT}","groupID":"g-1","userID":"${userID}"}`;

const cleanups: Cleanups = [];
afterEach(() => runCleanups(cleanups));

function settingsFor(url: string) {
  const name = uniqueName('mover_room');
  return toQueueSettings(z.object(queueEnv).parse({ REDIS_URL: url, QUEUE_NAME: name, QUEUE_PREFIX: name }));
}

describe('the inbox mover in a nearly full Redis', () => {
  it('leaves entries in the inbox until Redis has room for their jobs, then moves them all', {
    timeout: 60_000,
  }, async () => {
    const redis = await startLimitedRedis(16 * MB, cleanups);
    const settings = settingsFor(redis.url);
    const keys = inboxKeys(settings);
    for (let i = 0; i < 5; i++) {
      const body = Buffer.from(quitBody(`u-${i}`));
      await appendToInbox(redis.redis, keys.stream, { command: QUIT, operationID: `op-${i}`, receivedAt: 1, body });
    }
    await redis.fill(0.96);
    const queue = createCallbackQueue(settings, trackConnection(createWorkerConnection(redis.url), cleanups));
    cleanups.push(() => queue.close());
    const log = captureLogger();
    const room = inboxMoveRoom(redis.redis, log.logger);
    let asked = 0;
    const mover = createInboxMover({
      reader: trackConnection(createWorkerConnection(redis.url), cleanups),
      queue,
      settings,
      catalog: createCatalog(),
      logger: log.logger,
      blockMs: 100,
      roomToMove: () => {
        asked++;
        return room();
      },
    });
    void mover.run();
    cleanups.push(() => mover.close());

    await vi.waitFor(() => expect(asked).toBeGreaterThanOrEqual(5), { timeout: 10_000, interval: 20 });
    expect(await redis.redis.xlen(keys.stream)).toBe(5);
    expect(await queue.count()).toBe(0);
    expect(log.messages()).toEqual(['warn: Redis memory nearly full: the inbox waits until workers finish jobs']);

    await redis.empty();
    await vi.waitFor(async () => expect(await queue.count()).toBe(5), { timeout: 10_000, interval: 50 });
    await vi.waitFor(async () => expect(await redis.redis.xlen(keys.stream)).toBe(0), {
      timeout: 10_000,
      interval: 50,
    });
    expect(log.messages()).toContain('info: Redis memory has room again: moving the inbox into the queue');
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});
