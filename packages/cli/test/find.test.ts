import { appendToInbox, inboxKeys, keepRejected, workerConnectionOptions } from '@openim-sync/queue';
import { testServices } from '@openim-sync/testing';
import { Worker } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueueFixture, type QueueFixture } from './queue-fixture.js';

const JOIN = 'callbackAfterJoinGroupCommand';

describe('jobs find', () => {
  let fixture: QueueFixture;
  let worker: Worker | undefined;
  beforeEach(async () => {
    fixture = await createQueueFixture('cli_find');
  });
  afterEach(async () => {
    await worker?.close(true);
    worker = undefined;
    await fixture.close();
  });

  const operationOf = async (id: string) => (await fixture.queue.getJob(id))?.data.operationID as string;

  /** Adds a copy of a fixture's job under a new id, with other options (a delay, a priority). */
  async function copy(id: string, newId: string, opts: { delay?: number; priority?: number }) {
    const job = await fixture.queue.getJob(id);
    if (!job) throw new Error(`no job ${id}`);
    await fixture.queue.add(job.name, { ...job.data, operationID: `op-${newId}` }, { jobId: newId, ...opts });
    return `op-${newId}`;
  }

  /** `jobs find <operationID> --json`, parsed. */
  async function find(operationID: string) {
    const result = await fixture.jobs(['find', operationID, '--json']);
    return { ...result, found: result.lines.map((line) => JSON.parse(line)) };
  }

  it('finds a callback by operationID in every state, the inbox and its rejected stream included', async () => {
    const failing = await fixture.add('callbackAfterQuitGroupCommand');
    const completing = await fixture.add(JOIN);
    await fixture.process((id) => id === failing);

    // One job held active by a worker that does not finish it until the test ends.
    const holding = await fixture.add(JOIN);
    const { redisUrl } = testServices();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    worker = new Worker(fixture.settings.name, () => held, {
      connection: workerConnectionOptions(redisUrl),
      prefix: fixture.settings.prefix,
      concurrency: 1,
    });
    await vi.waitFor(async () => expect(await fixture.queue.getJobState(holding)).toBe('active'), { timeout: 10_000 });
    // The worker is busy: these stay where they are put.
    const waiting = await fixture.add(JOIN);
    const delayed = await copy(completing, 'delayed-1', { delay: 60_000 });
    const prioritized = await copy(completing, 'prioritized-1', { priority: 5 });

    const keys = inboxKeys(fixture.settings);
    const body = Buffer.from('{"groupID":"g"}\n');
    const inboxed = await appendToInbox(fixture.redis, keys.stream, {
      command: JOIN,
      operationID: 'op-inbox',
      receivedAt: 1_764_064_800_000,
      body,
    });
    const rejected = await keepRejected(fixture.redis, keys, { count: 10, age: 0 }, `${JOIN}: groupID: Invalid input`, {
      command: JOIN,
      operationID: 'op-rejected',
      receivedAt: 1_764_064_800_000,
      body,
    });

    const expectations: Array<[string, string, string]> = [
      [await operationOf(failing), 'failed', failing],
      [await operationOf(completing), 'completed', completing],
      [await operationOf(holding), 'active', holding],
      [await operationOf(waiting), 'waiting', waiting],
      [delayed, 'delayed', 'delayed-1'],
      [prioritized, 'prioritized', 'prioritized-1'],
      ['op-inbox', 'inbox', inboxed as string],
      ['op-rejected', 'inbox rejected', rejected as string],
    ];
    for (const [operationID, where, id] of expectations) {
      const result = await find(operationID);
      expect([result.code, result.err], where).toEqual([0, '']);
      expect(result.found, where).toEqual([
        {
          where,
          id,
          command: expect.stringMatching(/^callback/),
          operationID,
          receivedAt: expect.any(String),
          reason: where === 'failed' || where === 'inbox rejected' ? expect.any(String) : null,
        },
      ]);
    }
    release();
  });

  it('lists every callback that shares an operationID, as a table, and exits 1 when none has it', async () => {
    const first = await fixture.add(JOIN);
    const shared = await operationOf(first);
    await fixture.process();
    await copy(first, 'again-1', {});
    // `copy` names the operationID after the new id: give it the shared one instead.
    const again = await fixture.queue.getJob('again-1');
    await again?.updateData({ ...again.data, operationID: shared });
    const keys = inboxKeys(fixture.settings);
    await appendToInbox(fixture.redis, keys.stream, {
      command: JOIN,
      operationID: shared,
      receivedAt: 1,
      body: Buffer.from('{}'),
    });
    // A payload with an operationID field of its own is not a match: only the job's operationID counts.
    await copy(first, 'mention-1', {});
    const mention = await fixture.queue.getJob('mention-1');
    await mention?.updateData({ ...mention.data, payload: { operationID: shared } });

    const table = await fixture.jobs(['find', shared]);
    expect(table.code).toBe(0);
    expect(table.lines[0]).toMatch(/^WHERE +ID +COMMAND +RECEIVED AT +REASON$/);
    expect(table.lines.slice(1).map((line) => line.split(/ +/).slice(0, 2))).toEqual([
      ['inbox', expect.stringMatching(/^\d+-\d+$/)],
      ['waiting', 'again-1'],
      ['completed', first],
    ]);

    const none = await fixture.jobs(['find', 'op-nobody']);
    expect([none.code, none.out, none.err]).toEqual([1, '', 'no job or inbox entry has operationID "op-nobody"\n']);
    expect((await fixture.jobs(['find', 'op-nobody', '--json'])).code).toBe(1);
  });

  it('searches many jobs a page at a time, with progress on a terminal', async () => {
    const first = await fixture.add(JOIN);
    const job = await fixture.queue.getJob(first);
    const data = job?.data;
    if (!data) throw new Error('no job');
    // 2,500 waiting jobs: three pages of the search, the match on the last.
    const jobs = Array.from({ length: 2500 }, (_, i) => ({
      name: JOIN,
      data: { ...data, operationID: i === 2400 ? 'op-needle' : `op-hay-${i}` },
      opts: { jobId: `bulk-${i}` },
    }));
    await fixture.queue.addBulk(jobs);
    const result = await fixture.jobs(['find', 'op-needle', '--json'], { tty: true });
    expect(result.code).toBe(0);
    expect(result.lines.map((line) => JSON.parse(line).id)).toEqual(['bulk-2400']);
    expect(result.err).toContain('searched jobs 2501/2501');
    expect(result.err.endsWith('\r\x1b[K')).toBe(true);
  });
});
