import type { Socket } from 'node:net';
import { readFixture, testServices } from '@openim-sync/testing';
import { describe, expect, it, vi } from 'vitest';
import { ACK, post, type Stack, useStacks } from './stack.js';

const { redisUrl } = testServices();
const body = readFixture('callbackAfterJoinGroupCommand');
const path = '/callback/callbackAfterJoinGroupCommand';

/** Counts the system-call-level writes (`_write`/`_writev`) the socket makes while `run` runs. */
async function countSocketWrites(socket: Socket, run: () => Promise<unknown>): Promise<number> {
  const writable = socket as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
  const spies = [vi.spyOn(writable, '_write'), vi.spyOn(writable, '_writev')];
  try {
    await run();
    return spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

describe('coalesced inbox writes', () => {
  const stack = useStacks(redisUrl);

  async function readyStack(coalesceWrites: boolean, contentDedupMs = 0) {
    const s = await stack({ coalesceWrites, contentDedupMs });
    // The first append opens the way (connection, stream); measure the steady state.
    expect((await post(s.app, path, body, 'warm-up')).status).toBe(200);
    return s;
  }

  const postMany = (s: Stack, n: number, op: (i: number) => string) =>
    Promise.all(Array.from({ length: n }, (_, i) => post(s.app, path, body, op(i))));

  it('acknowledges each of many concurrent callbacks only with its job in Redis', async () => {
    const s = await readyStack(true);
    const responses = await postMany(s, 100, (i) => `op-${i}`);
    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(200));
    expect(await responses[0]?.text()).toBe(ACK);
    await s.moveInbox();
    expect(await s.queue.getWaitingCount()).toBe(101);
  });

  it('sends the appends of one turn as a few socket writes instead of one each', async () => {
    const coalesced = await readyStack(true);
    const socket = coalesced.connection.stream as Socket;
    const writes = await countSocketWrites(socket, () => postMany(coalesced, 50, (i) => `c-${i}`));
    await coalesced.moveInbox();
    expect(await coalesced.queue.getWaitingCount()).toBe(51);

    const plain = await readyStack(false);
    const plainWrites = await countSocketWrites(plain.connection.stream as Socket, () =>
      postMany(plain, 50, (i) => `p-${i}`),
    );
    expect(plainWrites).toBeGreaterThanOrEqual(50);
    expect(writes).toBeLessThanOrEqual(5);
  });

  it('with CONTENT_DEDUP_SECONDS set, still merges byte-identical receipts that are written together', async () => {
    const s = await readyStack(true, 60_000);
    const responses = await postMany(s, 10, () => 'same-op');
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    await s.moveInbox();
    expect(await s.queue.getWaitingCount()).toBe(2);
  });
});
