import { appendToInbox, type InboxRecord, inboxKeys, keepRejected, readInboxFields } from '@openim-sync/queue';
import { readFixture } from '@openim-sync/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createQueueFixture, type QueueFixture } from './queue-fixture.js';

const QUIT = 'callbackAfterQuitGroupCommand';
/** Bytes that are not UTF-8, then Go's trailing newline: a round trip through strings would change them. */
const ODD_BODY = Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}\n')]);

describe('jobs inbox', () => {
  let fixture: QueueFixture;
  let keys: ReturnType<typeof inboxKeys>;
  beforeEach(async () => {
    fixture = await createQueueFixture('cli_inbox');
    keys = inboxKeys(fixture.settings);
  });
  afterEach(async () => {
    await fixture.close();
  });

  /** The fields of each inbox entry, as stored. */
  async function inboxFields(): Promise<Buffer[][]> {
    return (await fixture.redis.xrangeBuffer(keys.stream, '-', '+')).map(([, fields]) => fields);
  }

  /**
   * Rejects an inbox entry as the worker's mover does: its fields copied after
   * `entry` and `reason` to the rejected stream, then deleted from the inbox.
   * Resolves with its id in the rejected stream and the fields it had.
   */
  async function reject(fields: (string | Buffer)[], reason: string) {
    const inboxId = (await fixture.redis.xadd(keys.stream, '*', ...fields)) as string;
    const [[, stored] = []] = await fixture.redis.xrangeBuffer(keys.stream, inboxId, inboxId);
    const id = (await fixture.redis.xadd(
      keys.rejected,
      '*',
      'entry',
      inboxId,
      'reason',
      reason,
      ...(stored ?? []),
    )) as string;
    await fixture.redis.xdel(keys.stream, inboxId);
    return { id, inboxId, fields: stored as Buffer[] };
  }

  /** A well-formed entry, appended with the ingress's own function, then rejected. */
  async function rejectRecord(record: Partial<InboxRecord>, reason = 'groupID: Invalid input (test)') {
    const scratch = `${keys.stream}:scratch`;
    const full = { command: QUIT, operationID: 'op-1', receivedAt: 1_764_064_800_000, body: ODD_BODY, ...record };
    const scratchId = (await appendToInbox(fixture.redis, scratch, full)) as string;
    const [[, fields] = []] = await fixture.redis.xrangeBuffer(scratch, scratchId, scratchId);
    await fixture.redis.del(scratch);
    return reject(fields as Buffer[], reason);
  }

  it('lists and redrives a callback the ingress kept (no inbox entry id), with its fixed job id and exact bytes', async () => {
    const record = {
      command: QUIT,
      operationID: 'op-kept',
      receivedAt: 1_764_064_800_000,
      jobId: 'u-kept-1',
      body: ODD_BODY,
    };
    const id = (await keepRejected(
      fixture.redis,
      keys,
      { count: 10, age: 0 },
      `${QUIT}: groupID: Invalid input`,
      record,
    )) as string;
    const listed = await fixture.jobs(['inbox', '--json']);
    expect(listed.lines.map((line) => JSON.parse(line))).toEqual([
      {
        id,
        entry: null,
        command: QUIT,
        operationID: 'op-kept',
        receivedAt: '2025-11-25T10:00:00.000Z',
        reason: `${QUIT}: groupID: Invalid input`,
      },
    ]);
    const redriven = await fixture.jobs(['inbox', '--redrive', id]);
    expect(redriven.code).toBe(0);
    expect(await fixture.redis.xlen(keys.rejected)).toBe(0);
    const [fields] = await inboxFields();
    const back = readInboxFields(fields ?? []);
    expect(back).toEqual({ ok: true, value: { ...record, body: ODD_BODY } });
  });

  it('counts the inbox and its rejected stream', async () => {
    await appendToInbox(fixture.redis, keys.stream, { command: QUIT, operationID: 'a', receivedAt: 1, body: ODD_BODY });
    await appendToInbox(fixture.redis, keys.stream, { command: QUIT, operationID: 'b', receivedAt: 1, body: ODD_BODY });
    await rejectRecord({ operationID: 'c' });
    const table = await fixture.jobs(['counts']);
    expect(table.lines.slice(-3)).toEqual(['paused          no', 'inbox           2', 'inbox rejected  1']);
    const json = JSON.parse((await fixture.jobs(['counts', '--json'])).out);
    expect(json).toMatchObject({ waiting: 0, failed: 0, paused: false, inbox: 2, inboxRejected: 1 });
  });

  it('says so when nothing was rejected', async () => {
    expect(await fixture.jobs(['inbox'])).toMatchObject({ code: 0, out: '', err: 'no rejected inbox entries\n' });
    expect(await fixture.jobs(['inbox', '--json'])).toMatchObject({ code: 0, out: '', err: '' });
  });

  it('lists rejected entries newest first, as a table and as JSON lines', async () => {
    const first = await rejectRecord({ operationID: 'op-first' });
    const malformed = await reject(['c', QUIT, 'o', 'op-x', 't', '1764064800000'], 'no body');
    const last = await rejectRecord({ operationID: '', jobId: 'e-fixed', receivedAt: 1_764_064_801_000 }, 'bad');

    const table = await fixture.jobs(['inbox']);
    expect([table.code, table.err]).toEqual([0, '']);
    expect(table.lines[0]).toMatch(/^ID +COMMAND +OPERATION ID +RECEIVED AT +REASON$/);
    expect(table.lines.slice(1).map((line) => line.split(/ +/)[0])).toEqual([last.id, malformed.id, first.id]);
    expect(table.lines[3]).toMatch(
      new RegExp(`^${first.id} +${QUIT} +op-first +2025-11-25T10:00:00.000Z +groupID: Invalid input \\(test\\)$`),
    );
    expect(table.lines[2]).toMatch(/ +- +- +- +no body$/);

    const lines = (await fixture.jobs(['inbox', '--json'])).lines.map((line) => JSON.parse(line));
    expect(lines).toEqual([
      {
        id: last.id,
        entry: last.inboxId,
        command: QUIT,
        operationID: '',
        receivedAt: '2025-11-25T10:00:01.000Z',
        reason: 'bad',
      },
      {
        id: malformed.id,
        entry: malformed.inboxId,
        command: null,
        operationID: null,
        receivedAt: null,
        reason: 'no body',
      },
      {
        id: first.id,
        entry: first.inboxId,
        command: QUIT,
        operationID: 'op-first',
        receivedAt: '2025-11-25T10:00:00.000Z',
        reason: 'groupID: Invalid input (test)',
      },
    ]);
    const limited = await fixture.jobs(['inbox', '--json', '--limit', '2']);
    expect(limited.lines.map((line) => JSON.parse(line).id)).toEqual([last.id, malformed.id]);
  });

  it('redrives entries by id with their fields and body bytes unchanged; malformed ones stay', async () => {
    const odd = await rejectRecord({ operationID: 'op-odd', jobId: 'e-fixed' });
    const kick = await rejectRecord({ operationID: 'op-kick', body: readFixture('callbackAfterKickGroupCommand') });
    const malformed = await reject(['c', QUIT, 'o', 'op-x', 't', '1764064800000'], 'no body');

    const result = await fixture.jobs(['inbox', '--redrive', odd.id, malformed.id, '1-0', kick.id]);
    expect(result.code).toBe(1); // the unknown id
    expect(result.lines).toEqual([
      expect.stringMatching(new RegExp(`^redrove ${odd.id} \\(inbox \\d+-\\d+\\)$`)),
      expect.stringMatching(new RegExp(`^redrove ${kick.id} \\(inbox \\d+-\\d+\\)$`)),
      'redrove 2, skipped 1 (malformed, kept), errors 1',
    ]);
    expect(result.err).toBe(`${malformed.id}: malformed (no body), kept\n1-0: no rejected entry with this id\n`);
    expect(await inboxFields()).toEqual([odd.fields, kick.fields]);
    expect(odd.fields.map(String)).toContain('e-fixed');
    const rejected = await fixture.redis.xrange(keys.rejected, '-', '+');
    expect(rejected.map(([id]) => id)).toEqual([malformed.id]);
  });

  it('redrives every entry with --all, oldest first, after a --dry-run that changes nothing', async () => {
    const entries = [];
    for (const operationID of ['op-1', 'op-2', 'op-3']) entries.push(await rejectRecord({ operationID }));
    await reject(['b', 'x'], 'no command');

    const dry = await fixture.jobs(['inbox', '--redrive', '--all', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.lines.slice(1, -1).map((line) => line.split(' ')[0])).toEqual(entries.map((e) => e.id));
    expect(dry.lines.at(-1)).toBe('would redrive 3, skipped 1 (malformed, kept), errors 0');
    expect(await fixture.redis.xlen(keys.rejected)).toBe(4);
    expect(await fixture.redis.xlen(keys.stream)).toBe(0);

    const done = await fixture.jobs(['inbox', '--redrive', '--all'], { tty: true });
    expect([done.code, done.out]).toEqual([0, 'redrove 3, skipped 1 (malformed, kept), errors 0\n']);
    expect(done.err).toContain('\r\x1b[Kredrove 4/4');
    expect(await inboxFields()).toEqual(entries.map((e) => e.fields));
    expect(await fixture.redis.xlen(keys.rejected)).toBe(1);
  });

  it('keeps an entry in the rejected stream when it cannot be appended to the inbox', async () => {
    const entry = await rejectRecord({});
    await fixture.redis.set(keys.stream, 'not a stream'); // XADD answers WRONGTYPE
    const result = await fixture.jobs(['inbox', '--redrive', entry.id]);
    expect([result.code, result.out]).toEqual([1, '']);
    expect(result.err).toMatch(/^openim-sync jobs inbox: WRONGTYPE/);
    expect((await fixture.redis.xrangeBuffer(keys.rejected, '-', '+')).map(([, fields]) => fields)).toEqual([
      [Buffer.from('entry'), Buffer.from(entry.inboxId), Buffer.from('reason'), expect.any(Buffer), ...entry.fields],
    ]);
  });
});
