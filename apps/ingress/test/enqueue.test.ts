import { BACKOFF_TYPE, type CallbackJobData, callbackJobId, workerConnectionOptions } from '@openim-sync/queue';
import { readFixture, uniqueName } from '@openim-sync/testing';
import { Worker } from 'bullmq';
import { describe, expect, inject, it, vi } from 'vitest';
import { ACK, post, useStacks } from './stack.js';

const redisUrl = inject('redisUrl');
const stack = useStacks(redisUrl);

const QUIT = '/callback/callbackAfterQuitGroupCommand';
const quitBody = '{"callbackCommand":"callbackAfterQuitGroupCommand","groupID":"3027412834","userID":"6960562805"}\n';

describe('a callback becomes one waiting job once the inbox is moved', () => {
  it('for the seed document’s request', async () => {
    const { app, queue, moveInbox } = await stack();
    const seed = readFixture('seed-member-join');
    const before = Date.now();
    const response = await app.request('/callback?command=callbackAfterMemberJoinGroupCommand&contenttype=json', {
      method: 'POST',
      headers: { operationID: '1646445464564', 'Content-Type': 'application/json' },
      body: seed,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(ACK);

    await moveInbox();
    expect(await queue.getJobCounts()).toMatchObject({ waiting: 1, active: 0, delayed: 0, completed: 0, failed: 0 });
    const [job] = await queue.getWaiting();
    expect(job?.name).toBe('callbackAfterMemberJoinGroupCommand');
    expect(job?.id).toMatch(/^u-[0-9a-f-]{36}$/);
    expect(job?.data).toEqual({
      command: 'callbackAfterMemberJoinGroupCommand',
      operationID: '1646445464564',
      receivedAt: expect.any(Number),
      event: {
        type: 'group.member.joined',
        groupID: '12345',
        userID: 'user789',
        joinSource: null,
        reqMessage: null,
        ex: 'Extra data',
        groupEx: 'GroupExtra data',
      },
      payload: JSON.parse(seed.toString('utf8')),
    } satisfies CallbackJobData);
    expect(job?.data.receivedAt).toBeGreaterThanOrEqual(before);
    expect(job?.data.receivedAt).toBeLessThanOrEqual(Date.now());
  });

  it('for OpenIM’s real request, with the job options of the settings', async () => {
    const { app, queue, settings, moveInbox } = await stack();
    const fixture = readFixture('callbackAfterJoinGroupCommand');
    const response = await post(app, '/callback/callbackAfterJoinGroupCommand', fixture, '1713351839432-abc');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(ACK);
    await moveInbox();

    const jobs = await queue.getWaiting();
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    expect(job.name).toBe('callbackAfterJoinGroupCommand');
    expect(job.data).toEqual({
      command: 'callbackAfterJoinGroupCommand',
      operationID: '1713351839432-abc',
      receivedAt: expect.any(Number),
      event: {
        type: 'group.member.joined',
        groupID: '3027412834',
        userID: '6960562805',
        joinSource: 3,
        reqMessage: 'hi <team> & all',
        ex: null,
        groupEx: null,
      },
      payload: JSON.parse(fixture.toString('utf8')),
    });
    expect(job.opts).toMatchObject({
      attempts: 5,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: { count: 10, age: 600 },
      removeOnFail: { count: 20, age: 1200 },
    });
    expect(job.opts.attempts).toBe(settings.attempts);
  });
});

describe('receipts', () => {
  it('queues two byte-identical receipts with one operationID as two jobs (join, quit, join from one App operationID)', async () => {
    const { app, queue, moveInbox } = await stack();
    for (let i = 0; i < 2; i++) {
      const response = await post(app, QUIT, quitBody, '1713351839432-dup');
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(ACK);
    }
    await moveInbox();
    const jobs = await queue.getWaiting();
    expect(jobs).toHaveLength(2);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(2);
  });

  it('with CONTENT_DEDUP_SECONDS set, acknowledges a byte-identical receipt but queues it once', async () => {
    const { app, queue, moveInbox } = await stack({ contentDedupMs: 60_000 });
    for (let i = 0; i < 2; i++) {
      const response = await post(app, QUIT, quitBody, '1713351839432-dup');
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(ACK);
    }
    await moveInbox();
    expect(await queue.getWaitingCount()).toBe(1);
  });

  it('queues the same body twice under two operationIDs', async () => {
    const { app, queue, moveInbox } = await stack();
    expect((await post(app, QUIT, quitBody, 'op-1')).status).toBe(200);
    expect((await post(app, QUIT, quitBody, 'op-2')).status).toBe(200);
    await moveInbox();
    const jobs = await queue.getWaiting();
    expect(jobs.map((j) => j.data.operationID).sort()).toEqual(['op-1', 'op-2']);
  });

  it('queues the same body twice under an empty operationID (two real events may look alike)', async () => {
    const { app, queue, moveInbox } = await stack();
    expect((await post(app, QUIT, quitBody, '')).status).toBe(200);
    expect((await post(app, QUIT, quitBody, '')).status).toBe(200);
    await moveInbox();
    const jobs = await queue.getWaiting();
    expect(jobs).toHaveLength(2);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(2);
    expect(jobs.map((j) => j.data.operationID)).toEqual(['', '']);
  });

  it('with CONTENT_DEDUP_SECONDS set, still recognises a duplicate after the first job completed and was removed', async () => {
    // Keeps one completed job: the next one to complete trims the first (a 0 would keep them all).
    const { app, queue, settings, moveInbox } = await stack({
      contentDedupMs: 60_000,
      queueEnv: { KEEP_COMPLETED_COUNT: 1 },
    });
    expect((await post(app, QUIT, quitBody, 'op-done')).status).toBe(200);
    await moveInbox();
    const jobId = callbackJobId('callbackAfterQuitGroupCommand', 'op-done', Buffer.from(quitBody), true);
    expect(await queue.getJobState(jobId)).toBe('waiting');
    expect((await post(app, QUIT, quitBody, 'op-later')).status).toBe(200);
    await moveInbox();
    const laterId = callbackJobId('callbackAfterQuitGroupCommand', 'op-later', Buffer.from(quitBody), true);

    const processed: string[] = [];
    const worker = new Worker<CallbackJobData>(
      settings.name,
      async (job) => {
        processed.push(job.id ?? '');
      },
      { connection: workerConnectionOptions(redisUrl), prefix: settings.prefix },
    );
    worker.on('error', () => {});
    try {
      await vi.waitFor(async () => expect(await queue.getJobState(jobId)).toBe('unknown'), { timeout: 10_000 });
    } finally {
      await worker.close();
    }
    expect(processed).toEqual([jobId, laterId]);
    expect(await queue.getJobCounts()).toMatchObject({ waiting: 0, active: 0, completed: 1, failed: 0 });

    const again = await post(app, QUIT, quitBody, 'op-done');
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(ACK);
    await moveInbox();
    expect(await queue.getJobCounts()).toMatchObject({ waiting: 0, active: 0, completed: 1 });
    expect(await queue.getJob(jobId)).toBeUndefined();

    // The queue itself still takes new work: only the re-delivery was dropped.
    expect((await post(app, QUIT, quitBody, 'op-new')).status).toBe(200);
    await moveInbox();
    expect(await queue.getWaitingCount()).toBe(1);
  });
});

describe('Redis Cluster hashtag prefix', () => {
  it('adds the job under keys that start with the {hashtag} prefix', async () => {
    const prefix = `{${uniqueName('hashtag')}}`;
    const { app, queue, settings, connection, moveInbox } = await stack({ queueEnv: { QUEUE_PREFIX: prefix } });
    expect(queue.opts.prefix).toBe(prefix);
    expect((await post(app, QUIT, quitBody, 'op-hash')).status).toBe(200);
    await moveInbox();
    const [job] = await queue.getWaiting();

    const keys = await connection.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key.startsWith(`${prefix}:${settings.name}:`), key).toBe(true);
    expect(keys).toContain(`${prefix}:${settings.name}:${job?.id}`);
  });
});
