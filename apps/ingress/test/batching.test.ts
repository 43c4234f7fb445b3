import { deleteQueueKeys, readFixture, testServices } from '@openim-sync/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ACK, createStack, post, type Stack } from './stack.js';

const { redisUrl } = testServices();
const body = readFixture('callbackAfterJoinGroupCommand');
const path = '/callback/callbackAfterJoinGroupCommand';

describe('micro-batched enqueue', () => {
  let stack: Stack | undefined;

  afterEach(async () => {
    if (!stack) return;
    await stack.close();
    await deleteQueueKeys(redisUrl, stack.settings.prefix, stack.settings.name);
    stack = undefined;
  });

  it('acknowledges each of many concurrent callbacks only with its job in Redis', async () => {
    stack = createStack({ redisUrl, batchMax: 16 });
    const s = stack;
    await vi.waitFor(() => expect(s.connection.status).toBe('ready'));
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => post(s.app, path, body, `op-${i}`)));
    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(200));
    expect(await responses[0]?.text()).toBe(ACK);
    expect(await s.queue.getWaitingCount()).toBe(100);
  });

  it('still deduplicates re-deliveries that land in the same batch', async () => {
    stack = createStack({ redisUrl, batchMax: 16 });
    const s = stack;
    await vi.waitFor(() => expect(s.connection.status).toBe('ready'));
    const responses = await Promise.all(Array.from({ length: 10 }, () => post(s.app, path, body, 'same-op')));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await s.queue.getWaitingCount()).toBe(1);
  });
});
