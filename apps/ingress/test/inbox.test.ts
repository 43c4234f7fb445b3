import { INBOX_GROUP, inboxKeys, readInboxFields, readRejectedFields } from '@openim-sync/queue';
import { readFixture } from '@openim-sync/testing';
import type { Job } from 'bullmq';
import type { Hono } from 'hono';
import { describe, expect, inject, it } from 'vitest';
import { ACK, errorOf, post, type Stack, useStacks } from './stack.js';

const redisUrl = inject('redisUrl');
const stack = useStacks(redisUrl);

const QUIT = '/callback/callbackAfterQuitGroupCommand';
const quitBody = '{"callbackCommand":"callbackAfterQuitGroupCommand","groupID":"3027412834","userID":"6960562805"}\n';

interface Entry {
  id: string;
  /** Field name → value, as Redis holds them (the body's bytes exact). */
  fields: Record<string, Buffer>;
}

/** The stack's inbox stream, oldest entry first. */
async function inboxEntries({ connection, settings }: Stack): Promise<Entry[]> {
  const raw = await connection.xrangeBuffer(inboxKeys(settings).stream, '-', '+');
  return raw.map(([id, flat]) => {
    const fields: Record<string, Buffer> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[(flat[i] as Buffer).toString()] = flat[i + 1] as Buffer;
    return { id: id.toString(), fields };
  });
}

/** An entry's fields other than the body, as text. */
function textFields(entry: Entry | undefined): Record<string, string> {
  const { b: _body, ...rest } = entry?.fields ?? {};
  return Object.fromEntries(Object.entries(rest).map(([name, value]) => [name, value.toString()]));
}

describe('the inbox: an acknowledged callback is one inbox entry', () => {
  it('for OpenIM’s real request, with exact fields and the body’s bytes, and no job', async () => {
    const s = await stack();
    const fixture = readFixture('callbackAfterJoinGroupCommand');
    const before = Date.now();
    const response = await post(s.app, '/callback/callbackAfterJoinGroupCommand', fixture, '1713351839432-abc');
    const after = Date.now();
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(ACK);

    const entries = await inboxEntries(s);
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(Object.keys(entry?.fields ?? {}).sort()).toEqual(['b', 'c', 'i', 'o', 't']);
    expect(textFields(entry)).toEqual({
      c: 'callbackAfterJoinGroupCommand',
      o: '1713351839432-abc',
      t: expect.stringMatching(/^\d+(\.\d+)?$/),
      i: expect.stringMatching(/^u-[0-9a-f-]{36}$/),
    });
    const receivedAt = Number(textFields(entry).t);
    expect(receivedAt).toBeGreaterThanOrEqual(before);
    expect(receivedAt).toBeLessThanOrEqual(after);
    expect(entry?.fields.b).toEqual(fixture);

    // The ingress adds no job: the workers' movers do.
    expect(await s.queue.getJobCounts()).toMatchObject({ waiting: 0, prioritized: 0, active: 0, delayed: 0 });
    const keys = await s.connection.keys(`${s.settings.prefix}:${s.settings.name}:*`);
    expect(keys.filter((key) => !key.endsWith(':meta'))).toEqual([inboxKeys(s.settings).stream]);
  });

  it.each([
    ['a v3.6 alias in the path', '/callback/callbackQuitGroupCommand', 'callbackAfterQuitGroupCommand'],
    ['an alias in ?command=', '/callback?command=callbackKillGroupCommand', 'callbackAfterKickGroupCommand'],
    ['a capital first letter', '/callback/CallbackAfterJoinGroupCommand', 'callbackAfterJoinGroupCommand'],
  ])('stores the canonical command for %s', async (_how, path, command) => {
    const s = await stack();
    const fixture = readFixture(command);
    const response = await post(s.app, path, fixture, 'op-alias');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(ACK);
    const entries = await inboxEntries(s);
    expect(entries.map(textFields)).toEqual([
      { c: command, o: 'op-alias', t: expect.any(String), i: expect.any(String) },
    ]);
    expect(entries[0]?.fields.b).toEqual(fixture);
  });

  it.each([
    ['one operationID', 'op-same'],
    ['an empty operationID', ''],
    ['no operationID header (OpenIM v3.0 to v3.6 when it is empty)', null],
  ])('fixes a fresh u- job id per receipt: the same bytes twice under %s are two entries', async (_how, op) => {
    const s = await stack();
    for (let i = 0; i < 2; i++) {
      const response = await post(s.app, QUIT, quitBody, op);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(ACK);
    }
    const entries = await inboxEntries(s);
    expect(entries).toHaveLength(2);
    const fields = entries.map(textFields);
    for (const f of fields) {
      expect(f).toEqual({
        c: 'callbackAfterQuitGroupCommand',
        o: op ?? '',
        t: expect.any(String),
        i: expect.any(String),
      });
      expect(f.i).toMatch(/^u-[0-9a-f-]{36}$/);
    }
    expect(fields[0]?.i).not.toBe(fields[1]?.i);
    for (const entry of entries) expect(entry.fields.b).toEqual(Buffer.from(quitBody));
  });

  it('with the writes of one turn coalesced (ENQUEUE_COALESCE_WRITES), one entry per concurrent callback', async () => {
    const s = await stack({ coalesceWrites: true });
    const bodies = Array.from({ length: 20 }, (_, i) => quitBody.replace('6960562805', `69605628${10 + i}`));
    const responses = await Promise.all(bodies.map((body, i) => post(s.app, QUIT, body, `op-${i}`)));
    for (const response of responses) expect(await response.text()).toBe(ACK);
    const entries = await inboxEntries(s);
    const byOperation = new Map(entries.map((e) => [textFields(e).o, e.fields.b?.toString()]));
    expect(entries).toHaveLength(bodies.length);
    expect(byOperation).toEqual(new Map(bodies.map((body, i) => [`op-${i}`, body])));
  });
});

/** A request OpenIM (or something else) could send that must be refused. */
type BadRequest = (app: Hono) => Response | Promise<Response>;
const json = { 'Content-Type': 'application/json', operationID: 'op-bad' };

describe('the inbox: refused input appends nothing to the inbox', () => {
  it.each<[string, number, BadRequest]>([
    ['a body that is not JSON', 400, (app) => post(app, QUIT, '{"callbackCommand":', 'op-bad')],
    ['an unknown command', 404, (app) => post(app, '/callback/callbackAfterNopeCommand', quitBody, 'op-bad')],
    [
      'a text/plain body',
      415,
      (app) =>
        app.request(QUIT, { method: 'POST', headers: { ...json, 'Content-Type': 'text/plain' }, body: quitBody }),
    ],
    ['an empty body', 400, (app) => app.request(QUIT, { method: 'POST', headers: json, body: '' })],
  ])('%s: %i with the callback error, and nothing kept', async (_what, status, send) => {
    const s = await stack();
    const response = await send(s.app);
    expect(response.status).toBe(status);
    expect((await errorOf(response)).errCode).toBe(status);
    expect(await s.connection.exists(inboxKeys(s.settings).stream)).toBe(0);
    expect(await s.connection.exists(inboxKeys(s.settings).rejected)).toBe(0);

    // The same stack still appends a good callback, and only that one.
    expect((await post(s.app, QUIT, quitBody, 'op-good')).status).toBe(200);
    expect((await inboxEntries(s)).map((e) => textFields(e).o)).toEqual(['op-good']);
  });
});

describe('the inbox: a known command that fails its schema is refused and kept', () => {
  it.each<[string, string]>([
    [
      'a body that breaks the command’s schema',
      '{"callbackCommand":"callbackAfterQuitGroupCommand","groupID":3027412834}',
    ],
    ['a body naming another command', quitBody.replace('AfterQuitGroup', 'AfterKickGroup')],
    ['a body with a __proto__ key', quitBody.replace('{', '{"__proto__":{"x":1},')],
  ])('%s: 400, and the rejected stream holds its bytes, reason and receive time', async (_what, body) => {
    const s = await stack();
    const before = Date.now();
    const response = await post(s.app, QUIT, body, 'op-kept');
    expect(response.status).toBe(400);
    const { errMsg } = await errorOf(response);
    expect(await s.connection.exists(inboxKeys(s.settings).stream)).toBe(0);
    const kept = await s.connection.xrangeBuffer(inboxKeys(s.settings).rejected, '-', '+');
    expect(kept).toHaveLength(1);
    const { reason, entry, fields } = readRejectedFields(kept[0]?.[1] ?? []);
    expect([reason, entry]).toEqual([errMsg, null]);
    const read = readInboxFields(fields);
    if (!read.ok) throw new Error(read.reason);
    const record = read.value;
    expect(record).toMatchObject({ command: 'callbackAfterQuitGroupCommand', operationID: 'op-kept' });
    expect(record.jobId).toMatch(/^u-/);
    expect(record.receivedAt).toBeGreaterThanOrEqual(before);
    expect(Buffer.from(record.body).toString()).toBe(body);
  });

  it('answers 503 when Redis cannot keep it', async () => {
    const s = await stack();
    s.connection.disconnect();
    const response = await post(s.app, QUIT, '{"callbackCommand":"callbackAfterQuitGroupCommand"}', 'op-lost');
    expect(response.status).toBe(503);
  });
});

/** Routes as in production: high-volume commands behind membership, presence reports coalesced. */
const routing = { queueEnv: { HIGH_VOLUME_PRIORITY: 10, PRESENCE_COALESCE_SECONDS: 900 } };

async function onlyJob(s: Stack): Promise<Job> {
  const jobs = await s.queue.getJobs(['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed']);
  expect(jobs).toHaveLength(1);
  return jobs[0] as Job;
}

describe('the inbox: a moved entry is the job of the callback', () => {
  it.each([
    ['OpenIM’s join request', '/callback/callbackAfterJoinGroupCommand', 'callbackAfterJoinGroupCommand', 'op-1', {}],
    ['a quit under its v3.6 alias', '/callback/callbackQuitGroupCommand', 'callbackAfterQuitGroupCommand', 'op-1', {}],
    [
      'a group message (high volume)',
      '/callback/callbackAfterSendGroupMsgCommand',
      'callbackAfterSendGroupMsgCommand',
      '',
      { priority: 10 },
    ],
    [
      'a presence report (coalesced)',
      '/callback/callbackAfterUserOnlineCommand',
      'callbackAfterUserOnlineCommand',
      'op',
      { deduplication: { id: expect.not.stringMatching(/^u-/), ttl: 900_000 } },
    ],
  ])('for %s, under the id the ingress fixed in the entry', async (_what, path, fixtureName, operationID, opts) => {
    const s = await stack(routing);
    const body = readFixture(fixtureName);
    const response = await post(s.app, path, body, operationID);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(ACK);
    const fixedId = textFields((await inboxEntries(s))[0]).i;
    await s.moveInbox();
    const moved = await onlyJob(s);
    expect(fixedId).toMatch(/^u-/);
    expect([moved.id, moved.opts.jobId]).toEqual([fixedId, fixedId]);
    expect(moved.name).toBe(fixtureName);
    expect(moved.data).toMatchObject({ command: fixtureName, operationID, payload: JSON.parse(body.toString('utf8')) });
    expect(moved.opts).toMatchObject({ attempts: s.settings.attempts, ...opts });
  });
});

describe('the inbox: a mover restarted under its name', () => {
  it('moves what the ingress appended past an entry deleted while the mover held it', async () => {
    const s = await stack();
    const { stream } = inboxKeys(s.settings);
    for (const operationID of ['op-deleted', 'op-kept']) {
      expect((await post(s.app, QUIT, quitBody, operationID)).status).toBe(200);
    }
    // A mover read both and stopped before moving them; then someone deleted the first from the inbox.
    await s.connection.xgroup('CREATE', stream, INBOX_GROUP, '0');
    await s.connection.xreadgroup('GROUP', INBOX_GROUP, 'mover-1', 'COUNT', 10, 'STREAMS', stream, '>');
    const [deleted] = await inboxEntries(s);
    expect(await s.connection.xdel(stream, deleted?.id ?? '')).toBe(1);

    // Restarted under the same name, it first reads its own pending entries: the deleted one comes back without fields.
    await s.moveInbox('mover-1');
    expect((await onlyJob(s)).data.operationID).toBe('op-kept');
    expect(((await s.connection.xpending(stream, INBOX_GROUP)) as [number])[0]).toBe(0);
  });
});
