import { inboxKeys } from '@openim-sync/queue';
import { type Cleanups, createRedisServer, freePort, runCleanups } from '@openim-sync/testing';
import type { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ACK, createStack, errorOf, post, type Stack } from './stack.js';

const QUIT = '/callback/callbackAfterQuitGroupCommand';
const quitBody = '{"callbackCommand":"callbackAfterQuitGroupCommand","groupID":"3027412834","userID":"6960562805"}\n';
/** What "fast" means here: OpenIM gives up after 5 s, the producer's command timeout is 1 s. */
const BOUND_MS = 2000;

const cleanups: Cleanups = [];
afterEach(() => runCleanups(cleanups));

/** Sends a callback and checks that it is refused with 503 and the callback error body within BOUND_MS. */
async function expectUnavailable(app: Hono, operationID: string) {
  const started = performance.now();
  const response = await post(app, QUIT, quitBody, operationID);
  const elapsed = performance.now() - started;
  expect(response.status).toBe(503);
  expect(await errorOf(response)).toMatchObject({ errCode: 503, errMsg: expect.stringMatching(/Redis/) });
  expect(elapsed).toBeLessThan(BOUND_MS);
}

async function readyStatus(app: Hono) {
  const started = performance.now();
  const response = await app.request('/readyz');
  expect(performance.now() - started).toBeLessThan(BOUND_MS);
  return response.status;
}

/** A throwaway redis-server of this test's own without persistence, so it can be killed without touching the shared one. */
async function startRedis() {
  const redis = await createRedisServer({ appendonly: false });
  cleanups.push(() => redis.close());
  await redis.start();
  return redis;
}

/** The operationIDs Redis holds for the stack: its inbox entries (the ingress adds no job). */
async function held(stack: Stack): Promise<string[]> {
  expect(await stack.queue.getWaitingCount()).toBe(0);
  const entries = await stack.connection.xrange(inboxKeys(stack.settings).stream, '-', '+');
  return entries.map(([, fields]) => fields[fields.findIndex((f, i) => i % 2 === 0 && f === 'o') + 1] ?? '');
}

describe.each<{ coalesceWrites: boolean }>([{ coalesceWrites: false }, { coalesceWrites: true }])(
  'Redis unavailable (coalesced writes: $coalesceWrites)',
  ({ coalesceWrites }) => {
    it('answers 503 fast when nothing listens at the Redis address', async () => {
      const port = await freePort();
      const { app, connection, close } = createStack({ redisUrl: `redis://127.0.0.1:${port}`, coalesceWrites });
      cleanups.push(close);

      await expectUnavailable(app, 'op-never-1');
      expect(await readyStatus(app)).toBe(503);
      // Still fast once ioredis has failed and is retrying in the background.
      await vi.waitFor(() => expect(connection.status).toBe('reconnecting'), { timeout: 5000 });
      await expectUnavailable(app, 'op-never-2');
      expect(await readyStatus(app)).toBe(503);
      expect((await app.request('/healthz')).status).toBe(200);
    });

    it('answers 503 fast while Redis is down and recovers when it is back', async () => {
      const redis = await startRedis();
      const stack = createStack({ redisUrl: redis.url, coalesceWrites });
      const { app, queue, connection, close } = stack;
      cleanups.push(close);
      await queue.waitUntilReady();

      expect(await readyStatus(app)).toBe(200);
      const first = await post(app, QUIT, quitBody, 'op-before');
      expect(first.status).toBe(200);
      expect(await first.text()).toBe(ACK);
      expect(await held(stack)).toEqual(['op-before']);

      await redis.kill();
      await expectUnavailable(app, 'op-during-1');
      // /readyz keeps Redis's answer for a second (one PING a second, however often it is probed).
      await vi.waitFor(async () => expect(await readyStatus(app)).toBe(503), {
        timeout: 1000 + BOUND_MS,
        interval: 100,
      });
      await vi.waitFor(() => expect(connection.status).not.toBe('ready'), { timeout: 5000 });
      await expectUnavailable(app, 'op-during-2');

      await redis.start();
      await vi.waitFor(async () => expect(await readyStatus(app)).toBe(200), { timeout: 15_000, interval: 100 });
      const after = await post(app, QUIT, quitBody, 'op-after');
      expect(after.status).toBe(200);
      expect(await after.text()).toBe(ACK);
      // A fresh server without persistence: the only callback is the one sent after the restart.
      expect(await held(stack)).toEqual(['op-after']);
    });

    it('answers 503 within the bound when Redis hangs without closing the connection', async () => {
      const redis = await startRedis();
      const stack = createStack({
        redisUrl: redis.url,
        enqueueTimeoutMs: 500,
        coalesceWrites,
      });
      const { app, queue, close } = stack;
      cleanups.push(close);
      await queue.waitUntilReady();
      expect((await post(app, QUIT, quitBody, 'op-before')).status).toBe(200);
      expect(await held(stack)).toEqual(['op-before']);

      redis.pause();
      try {
        await expectUnavailable(app, 'op-frozen');
        expect(await readyStatus(app)).toBe(503);
      } finally {
        redis.resume();
      }
      await vi.waitFor(async () => expect(await readyStatus(app)).toBe(200), { timeout: 15_000, interval: 100 });
      expect((await post(app, QUIT, quitBody, 'op-after')).status).toBe(200);
      // The refused callback may still have been stored once Redis woke up: at least once, never lost after an ack.
      const ids = await held(stack);
      expect(ids.filter((id) => id !== 'op-frozen').sort()).toEqual(['op-after', 'op-before']);
    });
  },
);
