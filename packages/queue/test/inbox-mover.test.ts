import { createLogger } from '@openim-sync/runtime';
import { createCatalog } from '@openim-sync/schema';
import { deleteQueueKeys, readFixture, uniqueName } from '@openim-sync/testing';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import {
  appendToInbox,
  type CallbackQueue,
  callbackJobId,
  createCallbackQueue,
  createInboxMover,
  createWorkerConnection,
  INBOX_GROUP,
  type InboxMoverOptions,
  type InboxRecord,
  inboxKeys,
  type QueueSettings,
  toQueueSettings,
} from '../src/index.js';

const redisUrl = inject('redisUrl');
const logger = createLogger({ name: 'inbox-test', level: 'silent', pretty: false });
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const QUIT = 'callbackAfterQuitGroupCommand';
const quitBody = (userID: string) => Buffer.from(`{"callbackCommand":"${QUIT}","groupID":"g-1","userID":"${userID}"}`);

/** A queue of its own (name and prefix), its inbox, and a connection for appending and inspecting. */
function scenario({ keepFailed = 10, contentDedupSeconds = 0 } = {}) {
  const name = uniqueName('inbox');
  const settings: QueueSettings = toQueueSettings({
    REDIS_URL: redisUrl,
    QUEUE_NAME: name,
    QUEUE_PREFIX: name,
    RETRY_SCHEDULE: [100, 200],
    KEEP_COMPLETED_COUNT: 10,
    KEEP_COMPLETED_AGE_SECONDS: 600,
    KEEP_FAILED_COUNT: keepFailed,
    KEEP_FAILED_AGE_SECONDS: 600,
    CONTENT_DEDUP_SECONDS: contentDedupSeconds,
    HIGH_VOLUME_PRIORITY: 10,
    PRESENCE_COALESCE_SECONDS: 900,
  });
  const redis = open();
  const queueConnection = open();
  const queue = createCallbackQueue(settings, queueConnection);
  cleanup.push(async () => {
    await queue.close();
    await deleteQueueKeys(redisUrl, name, name);
  });
  const keys = inboxKeys(settings);
  const append = (record: Partial<InboxRecord> & { body: Buffer }) =>
    appendToInbox(redis, keys.stream, { command: QUIT, operationID: 'op-1', receivedAt: Date.now(), ...record });
  /** Starts a mover on its own reader; stopped after the test. */
  const mover = (options: Partial<InboxMoverOptions> = {}) => {
    const m = createInboxMover({
      reader: open(),
      queue,
      settings,
      catalog: createCatalog(),
      logger,
      blockMs: 200,
      ...options,
    });
    const running = m.run();
    cleanup.push(() => m.close());
    return { mover: m, running };
  };
  const pending = async () => ((await redis.xpending(keys.stream, INBOX_GROUP)) as [number])[0];
  return { settings, queue, redis, keys, append, mover, pending };
}

function open(): Redis {
  const connection = createWorkerConnection(redisUrl);
  connection.on('error', () => {});
  cleanup.push(async () => connection.disconnect());
  return connection;
}

async function waitingJobs(queue: CallbackQueue, count: number) {
  await vi.waitFor(async () => expect(await queue.count()).toBe(count), { timeout: 10_000, interval: 50 });
  return queue.getJobs(['waiting', 'prioritized']);
}

describe('the inbox mover', () => {
  it('turns an entry into the job the direct path would add, then deletes the entry', async () => {
    const s = scenario();
    const body = readFixture('callbackAfterJoinGroupCommand');
    const receivedAt = Date.now() - 5;
    const jobId = callbackJobId('callbackAfterJoinGroupCommand', 'op-join', body);
    await s.append({ command: 'callbackAfterJoinGroupCommand', operationID: 'op-join', receivedAt, jobId, body });
    s.mover();

    const [job] = await waitingJobs(s.queue, 1);
    expect(job?.id).toBe(jobId);
    expect(job?.name).toBe('callbackAfterJoinGroupCommand');
    expect(job?.data).toMatchObject({
      command: 'callbackAfterJoinGroupCommand',
      operationID: 'op-join',
      receivedAt,
      event: { type: 'group.member.joined' },
      payload: JSON.parse(body.toString('utf8')),
    });
    expect(job?.opts).toMatchObject({ attempts: 3 });
    // A receipt id needs no deduplication window: the queue does not add an id it holds, the sinks know it after.
    expect(job?.opts.deduplication).toBeUndefined();
    await vi.waitFor(async () => expect(await s.redis.xlen(s.keys.stream)).toBe(0));
    expect(await s.pending()).toBe(0);
  });

  it('moves entries appended before any mover ran, in one batch or several', async () => {
    const s = scenario();
    for (let i = 0; i < 250; i++) await s.append({ operationID: `op-${i}`, body: quitBody(`u-${i}`) });
    s.mover({ batchMax: 40 });
    const jobs = await waitingJobs(s.queue, 250);
    expect(new Set(jobs.map((j) => j.data.operationID)).size).toBe(250);
    await vi.waitFor(async () => expect(await s.redis.xlen(s.keys.stream)).toBe(0));
  });

  it('makes two receipts with the same operationID and bytes two jobs, and the same receipt twice one', async () => {
    const s = scenario();
    s.mover();
    // Join, quit, join from an App that sends one fixed operationID: two identical join bodies, two receipts.
    await s.append({ operationID: 'op-same', jobId: 'u-receipt-1', body: quitBody('u-1') });
    await s.append({ operationID: 'op-same', jobId: 'u-receipt-2', body: quitBody('u-1') });
    // One receipt appended twice (a redrive racing a move): the same job id.
    await s.append({ operationID: '', jobId: 'u-receipt-3', body: quitBody('u-2') });
    await s.append({ operationID: '', jobId: 'u-receipt-3', body: quitBody('u-2') });
    await vi.waitFor(async () => expect(await s.redis.xlen(s.keys.stream)).toBe(0));
    const jobs = await waitingJobs(s.queue, 3);
    expect(jobs.map((j) => j.id).sort()).toEqual(['u-receipt-1', 'u-receipt-2', 'u-receipt-3']);
  });

  it('gives an entry without a fixed id (an older ingress) the id of its inbox entry', async () => {
    const s = scenario();
    const entryId = await s.append({ operationID: 'op-old', body: quitBody('u-1') });
    s.mover();
    const [job] = await waitingJobs(s.queue, 1);
    expect(job?.id).toBe(`e-${entryId}`);
  });

  it('with CONTENT_DEDUP_SECONDS set, merges byte-identical entries an older ingress left without an id', async () => {
    const s = scenario({ contentDedupSeconds: 600 });
    s.mover();
    await s.append({ operationID: 'op-same', body: quitBody('u-1') });
    await s.append({ operationID: 'op-same', body: quitBody('u-1') });
    await vi.waitFor(async () => expect(await s.redis.xlen(s.keys.stream)).toBe(0));
    const [job] = await waitingJobs(s.queue, 1);
    expect(job?.id).toBe(callbackJobId(QUIT, 'op-same', quitBody('u-1'), true));
    expect(job?.opts.deduplication).toEqual({ id: job?.id, ttl: 600_000 });
  });

  it('routes high-volume callbacks behind membership events, as the direct path does', async () => {
    const s = scenario();
    const message = readFixture('callbackAfterSendGroupMsgCommand');
    await s.append({ command: 'callbackAfterSendGroupMsgCommand', operationID: 'op-msg', body: message });
    s.mover();
    const [job] = await waitingJobs(s.queue, 1);
    expect(job?.opts.priority).toBe(10);
  });

  it('takes over what a stopped mover read and never acknowledged', async () => {
    const s = scenario();
    await s.redis.xgroup('CREATE', s.keys.stream, INBOX_GROUP, '0', 'MKSTREAM');
    await s.append({ operationID: 'op-orphan', body: quitBody('u-9') });
    // A mover that read the entry, then died before adding it.
    await s.redis.xreadgroup('GROUP', INBOX_GROUP, 'dead-mover', 'COUNT', 10, 'STREAMS', s.keys.stream, '>');
    expect(await s.pending()).toBe(1);

    s.mover({ claimIdleMs: 300 });
    const [job] = await waitingJobs(s.queue, 1);
    expect(job?.data.operationID).toBe('op-orphan');
    await vi.waitFor(async () => expect(await s.pending()).toBe(0));
    expect(await s.redis.xlen(s.keys.stream)).toBe(0);
  });

  it('keeps a batch pending while the queue cannot take it, and moves it once it can', async () => {
    const s = scenario();
    await s.append({ operationID: 'op-a', body: quitBody('u-a') });
    // A queue whose Redis is gone: every add fails.
    const broken = createWorkerConnection('redis://127.0.0.1:1');
    broken.on('error', () => {});
    const deadQueue = createCallbackQueue(s.settings, broken);
    deadQueue.on('error', () => {});
    const first = createInboxMover({
      reader: open(),
      queue: deadQueue,
      settings: s.settings,
      catalog: createCatalog(),
      logger,
      blockMs: 100,
      consumer: 'first',
    });
    void first.run();
    await vi.waitFor(async () => expect(await s.pending()).toBe(1), { timeout: 5000 });
    expect(await s.redis.xlen(s.keys.stream)).toBe(1);
    // Its adds hang without Redis; stop it the hard way, as a crash would.
    void first.close();
    broken.disconnect();
    await deadQueue.close().catch(() => {});

    s.mover({ claimIdleMs: 300 });
    const [job] = await waitingJobs(s.queue, 1);
    expect(job?.data.operationID).toBe('op-a');
    await vi.waitFor(async () => expect(await s.redis.xlen(s.keys.stream)).toBe(0));
  });

  it('sets aside what cannot become a job, with the reason, and moves what follows', async () => {
    const s = scenario();
    const rejected = vi.fn();
    await s.append({ operationID: 'op-bad-json', body: Buffer.from('{"callbackCommand":') });
    await s.append({ operationID: 'op-bad-schema', body: Buffer.from(`{"callbackCommand":"${QUIT}"}`) });
    await s.append({ operationID: 'op-good', body: quitBody('u-ok') });
    s.mover({ onRejected: rejected });

    const [job] = await waitingJobs(s.queue, 1);
    expect(job?.data.operationID).toBe('op-good');
    await vi.waitFor(async () => expect(await s.redis.xlen(s.keys.stream)).toBe(0));
    expect(rejected).toHaveBeenCalledTimes(2);
    const kept = await s.redis.xrange(s.keys.rejected, '-', '+');
    expect(kept).toHaveLength(2);
    const fields = kept.map(([, f]) => Object.fromEntries(f.flatMap((v, i) => (i % 2 ? [] : [[v, f[i + 1]]]))));
    expect(fields[0]).toMatchObject({ o: 'op-bad-json', reason: expect.stringContaining('not valid JSON') });
    expect(fields[1]).toMatchObject({ o: 'op-bad-schema', reason: expect.stringContaining(QUIT) });
    expect(fields[1]?.b).toBe(`{"callbackCommand":"${QUIT}"}`);
  });

  it('keeps the newest rejected entries, as many as failed jobs are kept', async () => {
    const s = scenario({ keepFailed: 2 });
    for (const n of [1, 2, 3]) await s.append({ operationID: `op-bad-${n}`, body: Buffer.from('not json') });
    await s.append({ operationID: 'op-good', body: quitBody('u-ok') });
    s.mover();

    await waitingJobs(s.queue, 1);
    await vi.waitFor(async () => expect(await s.redis.xlen(s.keys.stream)).toBe(0));
    const kept = await s.redis.xrange(s.keys.rejected, '-', '+');
    expect(kept.map(([, f]) => f[f.indexOf('o') + 1])).toEqual(['op-bad-2', 'op-bad-3']);
  });

  it('stops promptly while waiting for entries', async () => {
    const s = scenario();
    const { mover, running } = s.mover({ blockMs: 10_000 });
    await vi.waitFor(async () => expect(await s.redis.exists(s.keys.stream)).toBe(1));
    const started = Date.now();
    await mover.close();
    await running;
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
