import {
  appendToInbox,
  type CallbackQueue,
  callbackJobOptions,
  createCallbackQueue,
  createInboxMover,
  createProducerConnection,
  createWorkerConnection,
  inboxKeys,
  type QueueSettings,
  readRejectedFields,
} from '@openim-sync/queue';
import { createLogger } from '@openim-sync/runtime';
import { createCatalog } from '@openim-sync/schema';
import {
  createTestSchema,
  deleteQueueKeys,
  type Receiver,
  readFixture,
  startReceiver,
  type TestSchema,
  uniqueName,
} from '@openim-sync/testing';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createApp } from '../../apps/ingress/src/app.js';
import { createProducer } from '../../apps/ingress/src/producer.js';
import { createProcessor } from '../../apps/worker/src/processor.js';
import { createHttpSink } from '../../apps/worker/src/sinks/http-sink.js';
import { createPostgresSink } from '../../apps/worker/src/sinks/postgres-sink.js';
import type { Sink } from '../../apps/worker/src/sinks/sink.js';
import { type CallbackWorker, createCallbackWorker } from '../../apps/worker/src/worker.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const ACK = '{"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0}';

/** One queue, ingress app, inbox mover and worker over real Redis, with the given sinks. */
async function startPipeline(label: string, sinks: Sink[]) {
  const name = uniqueName(label);
  const settings: QueueSettings = {
    redisUrl: inject('redisUrl'),
    name,
    prefix: name,
    attempts: 4,
    retryScheduleMs: [20, 40, 80],
    keepCompleted: { count: 100, age: 3600 },
    keepFailed: { count: 100, age: 3600 },
    contentDedupMs: 0,
  };
  const connection: Redis = createProducerConnection(settings.redisUrl, 2000);
  const queue: CallbackQueue = createCallbackQueue(settings, connection);
  const app = createApp({
    config: { basePath: '/callback', maxBodyBytes: 1 << 20 },
    catalog: createCatalog(),
    producer: createProducer({ connection, settings, timeoutMs: 2000 }),
    logger,
  });
  const worker: CallbackWorker = createCallbackWorker({
    config: { concurrency: 4, lockDurationMs: 30_000, stalledIntervalMs: 30_000, maxStalledCount: 1, queue: settings },
    processor: createProcessor({ sinks, logger }),
    logger,
  });
  const reader = createWorkerConnection(settings.redisUrl);
  const mover = createInboxMover({ reader, queue, settings, catalog: createCatalog(), logger, blockMs: 100 });
  const moving = mover.run();
  void worker.run();
  await worker.waitUntilReady();
  await vi.waitFor(() => expect(connection.status).toBe('ready'));
  return {
    app,
    queue,
    settings,
    connection,
    async stop() {
      await mover.close();
      await moving;
      await worker.close();
      await queue.close();
      connection.disconnect();
      await Promise.all(sinks.map((s) => s.close()));
      await deleteQueueKeys(settings.redisUrl, settings.prefix, settings.name);
    },
  };
}

type Pipeline = Awaited<ReturnType<typeof startPipeline>>;

describe('callbacks into the group-membership projection', () => {
  let schema: TestSchema;
  let pipeline: Pipeline;

  beforeAll(async () => {
    schema = await createTestSchema(inject('databaseUrl'), 'pipeline');
    const sink = await createPostgresSink({
      url: inject('databaseUrl'),
      schema: schema.name,
      poolSize: 2,
      batchMax: 64,
      logger,
    });
    pipeline = await startPipeline('pipeline', [sink]);
  });

  afterAll(async () => {
    await pipeline?.stop();
    await schema?.drop();
  });

  const member = (groupID: string, userID: string) =>
    schema.rows('SELECT * FROM $schema.group_members WHERE group_id = $1 AND user_id = $2', [groupID, userID]);

  it("turns the seed document's request (query form, capital C) into a member row", async () => {
    const response = await pipeline.app.request(
      '/callback?command=callbackAfterMemberJoinGroupCommand&contenttype=json',
      {
        method: 'POST',
        headers: { operationID: '1646445464564', 'content-type': 'application/json' },
        body: readFixture('seed-member-join.json'),
      },
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(ACK);
    await vi.waitFor(async () =>
      expect(await member('12345', 'user789')).toEqual([
        expect.objectContaining({ role_level: 20, ex: 'Extra data', group_ex: 'GroupExtra data' }),
      ]),
    );
  });

  it("turns OpenIM's real request (path form, Operationid header) into a member row", async () => {
    const response = await pipeline.app.request('/callback/callbackAfterJoinGroupCommand', {
      method: 'POST',
      headers: { Operationid: '1713351839432-abc', 'content-type': 'application/json; charset=utf-8' },
      body: readFixture('callbackAfterJoinGroupCommand'),
    });
    expect(await response.text()).toBe(ACK);
    await vi.waitFor(async () =>
      expect(await member('3027412834', '6960562805')).toEqual([
        expect.objectContaining({ join_source: 3, req_message: 'hi <team> & all' }),
      ]),
    );
  });

  it('leaves no member when a join is applied after a newer quit', async () => {
    const send = (command: string, body: object, operationID: string) =>
      pipeline.app.request(`/callback/${command}`, {
        method: 'POST',
        headers: { operationID, 'content-type': 'application/json' },
        body: JSON.stringify({ callbackCommand: command, ...body }),
      });
    await pipeline.queue.pause(); // hold the join back so the quit is applied first
    const join = await send('callbackAfterJoinGroupCommand', { groupID: 'g-late', inviterUserID: 'u-late' }, 'op-j');
    // The inbox mover adds it a moment after the ack.
    const joinJob = await vi.waitFor(async () => {
      const [waiting] = await pipeline.queue.getWaiting();
      expect(waiting?.name).toBe('callbackAfterJoinGroupCommand');
      return waiting;
    });
    await joinJob?.remove();
    const quit = await send('callbackAfterQuitGroupCommand', { groupID: 'g-late', userID: 'u-late' }, 'op-q');
    await pipeline.queue.resume();
    expect([join.status, quit.status]).toEqual([200, 200]);
    await vi.waitFor(async () => expect(await pipeline.queue.getCompletedCount()).toBeGreaterThanOrEqual(3));
    // Re-add the held join with its original receive time, now older than the applied quit.
    const settings = pipeline.settings;
    if (!joinJob) throw new Error('no join job');
    await pipeline.queue.add(joinJob.name, joinJob.data, callbackJobOptions(settings, 'late-join', 1000));
    await vi.waitFor(async () =>
      expect(await pipeline.queue.getJob('late-join')).toMatchObject({ finishedOn: expect.any(Number) }),
    );
    expect(await member('g-late', 'u-late')).toEqual([]);
  });
});

describe('forwarding to the App', () => {
  let receiver: Receiver;
  let pipeline: Pipeline | undefined;

  beforeAll(async () => {
    receiver = await startReceiver();
  });

  afterEach(async () => {
    await pipeline?.stop();
    pipeline = undefined;
    receiver.deliveries.length = 0;
  });

  afterAll(() => receiver.close());

  const forwardUrl = () => receiver.url;
  const seen = () => receiver.deliveries;
  const quitBody = readFixture('callbackAfterQuitGroupCommand');
  const post = (p: Pipeline, operationID: string) =>
    p.app.request('/callback/callbackAfterQuitGroupCommand', {
      method: 'POST',
      headers: { operationID, 'content-type': 'application/json' },
      body: quitBody,
    });

  it('retries a failing target with backoff until it succeeds, with one Idempotency-Key', async () => {
    let calls = 0;
    receiver.answer = () => (++calls <= 2 ? 503 : 200);
    pipeline = await startPipeline('fwd_retry', [createHttpSink({ url: forwardUrl(), timeoutMs: 2000 })]);
    expect((await post(pipeline, 'op-retry')).status).toBe(200);
    const p = pipeline;
    await vi.waitFor(async () => expect(await p.queue.getCompletedCount()).toBe(1), { timeout: 10_000 });
    const [job] = await p.queue.getCompleted();
    expect(job?.attemptsMade).toBe(3);
    expect(seen()).toHaveLength(3);
    expect(new Set(seen().map((s) => s.idempotencyKey))).toEqual(new Set([job?.id]));
    expect(seen()[2]?.body).toMatchObject({
      id: job?.id,
      command: 'callbackAfterQuitGroupCommand',
      operationID: 'op-retry',
      event: { type: 'group.member.quit', groupID: '3027412834', userID: '6960562805' },
      payload: JSON.parse(quitBody.toString()),
    });
  });

  it('fails an event the target rejects for good at once, keeping it in the failed set', async () => {
    receiver.answer = () => 422;
    pipeline = await startPipeline('fwd_reject', [createHttpSink({ url: forwardUrl(), timeoutMs: 2000 })]);
    expect((await post(pipeline, 'op-reject')).status).toBe(200);
    const p = pipeline;
    await vi.waitFor(async () => expect(await p.queue.getFailedCount()).toBe(1), { timeout: 10_000 });
    const [job] = await p.queue.getFailed();
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toMatch(/http sink: forward target answered 422/);
    expect(seen()).toHaveLength(1);
  });

  it('never applies a payload that breaks its schema: the mover keeps it aside, a job without its event fails', async () => {
    receiver.answer = () => 200;
    pipeline = await startPipeline('bad_payload', [createHttpSink({ url: forwardUrl(), timeoutMs: 2000 })]);
    const p = pipeline;
    const keys = inboxKeys(p.settings);
    const command = 'callbackAfterQuitGroupCommand';
    // The worker's one check is the mover's (see toJob): an entry that fails it never becomes a job.
    const body = Buffer.from(`{"callbackCommand":"${command}","groupID":"g"}`);
    await appendToInbox(p.connection, keys.stream, { command, operationID: 'op', receivedAt: Date.now(), body });
    await vi.waitFor(async () => expect(await p.connection.xlen(keys.rejected)).toBe(1), { timeout: 10_000 });
    const [[, fields] = []] = await p.connection.xrangeBuffer(keys.rejected, '-', '+');
    expect(readRejectedFields(fields ?? []).reason).toMatch(/callbackAfterQuitGroupCommand: userID/);
    // A job added by hand, not moved from the inbox, has no checked event: it fails without retries.
    const data = { command, operationID: 'op', receivedAt: Date.now(), payload: { callbackCommand: command } };
    await p.queue.add(command, data as never, callbackJobOptions(p.settings, 'bad-1', 1000));
    await vi.waitFor(async () => expect(await p.queue.getFailedCount()).toBe(1), { timeout: 10_000 });
    const job = await p.queue.getJob('bad-1');
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toMatch(/malformed job/);
    expect(await p.queue.getCompletedCount()).toBe(0);
    expect(seen()).toHaveLength(0);
  });
});
