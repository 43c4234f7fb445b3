import { readFixture, testServices } from '@openim-sync/testing';
import { describe, expect, it } from 'vitest';
import { post, useStacks } from './stack.js';

const { redisUrl } = testServices();

/** A presence report as OpenIM sends it, with its own operationID and clock. */
function presence(online: boolean, seq: number) {
  const command = online ? 'callbackAfterUserOnlineCommand' : 'callbackAfterUserOfflineCommand';
  const body = JSON.parse(readFixture(command).toString('utf8'));
  return { command, body: JSON.stringify({ ...body, seq, operationID: `op-${seq}` }), operationID: `op-${seq}` };
}

describe('routing of the jobs the inbox moves into', () => {
  const readyStack = useStacks(redisUrl);
  const start = (queueEnv: { HIGH_VOLUME_PRIORITY?: number; PRESENCE_COALESCE_SECONDS?: number }) =>
    readyStack({ queueEnv });

  it('coalesces a burst of repeated online reports into one job', async () => {
    const s = await start({ PRESENCE_COALESCE_SECONDS: 60 });
    for (let i = 0; i < 50; i++) {
      const report = presence(true, 1_000 + i);
      expect((await post(s.app, `/callback/${report.command}`, report.body, report.operationID)).status).toBe(200);
    }
    await s.moveInbox();
    expect(await s.queue.getWaitingCount()).toBe(1);
  });

  it('lets every change of state through: online, offline, online', async () => {
    const s = await start({ PRESENCE_COALESCE_SECONDS: 60 });
    for (const [online, seq] of [
      [true, 1],
      [true, 2],
      [false, 3],
      [false, 4],
      [true, 5],
    ] as const) {
      const report = presence(online, seq);
      await post(s.app, `/callback/${report.command}`, report.body, report.operationID);
    }
    await s.moveInbox();
    const jobs = await s.queue.getWaiting();
    expect(jobs.map((j) => j.data.operationID).sort()).toEqual(['op-1', 'op-3', 'op-5']);
  });

  it('does not coalesce when turned off', async () => {
    const s = await start({ PRESENCE_COALESCE_SECONDS: 0 });
    for (let i = 0; i < 5; i++) {
      const report = presence(true, 10 + i);
      await post(s.app, `/callback/${report.command}`, report.body, report.operationID);
    }
    await s.moveInbox();
    expect(await s.queue.getWaitingCount()).toBe(5);
  });

  it('puts high-volume callbacks behind membership events', async () => {
    const s = await start({ HIGH_VOLUME_PRIORITY: 10 });
    const message = readFixture('callbackAfterSendGroupMsgCommand');
    for (let i = 0; i < 20; i++) await post(s.app, '/callback/callbackAfterSendGroupMsgCommand', message, `msg-${i}`);
    await post(s.app, '/callback/callbackAfterQuitGroupCommand', readFixture('callbackAfterQuitGroupCommand'), 'quit');
    await s.moveInbox();
    expect(await s.queue.getPrioritizedCount()).toBe(20);
    // The quit was added last but is the next job a worker takes.
    const [next] = await s.queue.getWaiting();
    expect(next?.name).toBe('callbackAfterQuitGroupCommand');
    expect(await s.queue.getWaitingCount()).toBe(1);
  });
});
