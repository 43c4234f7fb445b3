import type { CallbackJobData, InboxRecord } from '@openim-sync/queue';
import { createLogger } from '@openim-sync/runtime';
import { type Catalog, commandDefinitions, createCatalog } from '@openim-sync/schema';
import { readFixture } from '@openim-sync/testing';
import type { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from './app.js';
import type { Producer } from './producer.js';

const ACK = '{"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0}';
const JSON_UTF8 = 'application/json; charset=utf-8';
const logger = createLogger({ name: 'ingress-test', level: 'silent', pretty: false });

/** Records what would have been enqueued; `failing` / `ready` switch its behaviour. */
function createFakeProducer() {
  const jobs: Array<{ data: CallbackJobData; body: Buffer }> = [];
  const kept: Array<{ record: InboxRecord; reason: string }> = [];
  const state = { failing: false, ready: true };
  const producer: Producer = {
    async enqueue(data, body) {
      if (state.failing) return { ok: false, message: 'Redis is unavailable (fake)' };
      jobs.push({ data, body: Buffer.from(body) });
      return { ok: true, jobId: `fake-${jobs.length}` };
    },
    async keep(record, reason) {
      if (state.failing) return { ok: false, message: 'Redis is unavailable (fake)' };
      kept.push({ record, reason });
      return { ok: true };
    },
    async ready() {
      return state.ready;
    },
  };
  return { producer, jobs, kept, state };
}

interface SetupOptions {
  basePath?: string;
  maxBodyBytes?: number;
  catalog?: Catalog;
}

function setup({ basePath = '/callback', maxBodyBytes = 64 * 1024, catalog = createCatalog() }: SetupOptions = {}) {
  const fake = createFakeProducer();
  let shuttingDown = false;
  const app = createApp({
    config: { basePath, maxBodyBytes },
    catalog,
    producer: fake.producer,
    logger,
    isShuttingDown: () => shuttingDown,
  });
  return { app, ...fake, startShutdown: () => (shuttingDown = true) };
}

interface PostOptions {
  /** Sent as bytes, so no Content-Type is added behind the test's back. */
  body?: Uint8Array | string | ReadableStream<Uint8Array>;
  headers?: Record<string, string>;
  /** The operationID header; `null` leaves it out. */
  operationID?: string | null;
}

/** A POST as Go's net/http sends it: canonicalised `Operationid` header, JSON content type. */
function post(app: Hono, path: string, { body, headers = {}, operationID = '1713351839432-abc' }: PostOptions = {}) {
  const allHeaders: Record<string, string> = {
    'Content-Type': JSON_UTF8,
    'User-Agent': 'Go-http-client/1.1',
    ...(operationID === null ? {} : { Operationid: operationID }),
    ...headers,
  };
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  return app.request(path, { method: 'POST', headers: allHeaders, body: payload, duplex: 'half' } as RequestInit);
}

const quitBody = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({ callbackCommand: 'callbackAfterQuitGroupCommand', groupID: 'g1', userID: 'u1', ...fields });

/** Every refusal is the five-field callback response with a non-zero errCode and a message. */
async function expectError(response: Response, status: number, errMsg?: RegExp) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['actionCode', 'errCode', 'errDlt', 'errMsg', 'nextCode']);
  expect(body).toMatchObject({ actionCode: 0, errCode: status, nextCode: 0 });
  expect(typeof body.errDlt).toBe('string');
  expect(body.errMsg).toEqual(expect.any(String));
  expect(body.errMsg).not.toBe('');
  if (errMsg) expect(body.errMsg).toMatch(errMsg);
  return body;
}

async function expectAck(response: Response) {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await response.text()).toBe(ACK);
}

describe('accepted callbacks', () => {
  it('acknowledges the seed document exactly as written', async () => {
    const { app, jobs } = setup();
    const seed = readFixture('seed-member-join');
    const before = Date.now();
    const response = await app.request('/callback?command=callbackAfterMemberJoinGroupCommand&contenttype=json', {
      method: 'POST',
      headers: { operationID: '1646445464564', 'Content-Type': 'application/json' },
      body: seed,
    });
    await expectAck(response);
    expect(jobs).toHaveLength(1);
    const { data, body } = jobs[0]!;
    expect(data).toEqual({
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
    });
    expect(data.payload.callbackCommand).toBe('CallbackAfterMemberJoinGroupCommand');
    expect(data.receivedAt).toBeGreaterThanOrEqual(before);
    expect(data.receivedAt).toBeLessThanOrEqual(Date.now());
    expect(body.equals(seed)).toBe(true);
  });

  const catalog = createCatalog();
  it.each(commandDefinitions.map((d) => d.command))('accepts OpenIM’s real request for %s', async (command) => {
    const { app, jobs } = setup();
    const fixture = readFixture(command);
    const before = Date.now();
    await expectAck(await post(app, `/callback/${command}`, { body: fixture, operationID: '1713351839432-abc' }));
    const after = Date.now();

    const expected = catalog.check(command, JSON.parse(fixture.toString('utf8')));
    if (!expected.ok) throw new Error(expected.reason.message);
    expect(jobs).toHaveLength(1);
    const { data, body } = jobs[0]!;
    expect(data).toEqual({
      command,
      operationID: '1713351839432-abc',
      receivedAt: expect.any(Number),
      event: expected.value.event,
      payload: JSON.parse(fixture.toString('utf8')),
    });
    expect(data.receivedAt).toBeGreaterThanOrEqual(before);
    expect(data.receivedAt).toBeLessThanOrEqual(after);
    expect(body.equals(fixture), 'the producer gets the body byte for byte').toBe(true);
  });

  it('reads the real join: the joined user is inviterUserID, escapes decoded', async () => {
    const { app, jobs } = setup();
    await expectAck(
      await post(app, '/callback/callbackAfterJoinGroupCommand', {
        body: readFixture('callbackAfterJoinGroupCommand'),
      }),
    );
    expect(jobs[0]?.data.event).toEqual({
      type: 'group.member.joined',
      groupID: '3027412834',
      userID: '6960562805',
      joinSource: 3,
      reqMessage: 'hi <team> & all',
      ex: null,
      groupEx: null,
    });
  });

  it('tolerates "//" before the command (configured url with a trailing slash)', async () => {
    const { app, jobs } = setup();
    await expectAck(await post(app, '/callback//callbackAfterQuitGroupCommand', { body: quitBody() }));
    expect(jobs.map((j) => j.data.command)).toEqual(['callbackAfterQuitGroupCommand']);
  });

  it('ignores a query string on the path form', async () => {
    const { app, jobs } = setup();
    const key = Buffer.from('{"sendID":"a","recvID":"b","groupID":""}').toString('base64');
    const path = `/callback/callbackAfterQuitGroupCommand?key=${encodeURIComponent(key)}&command=callbackAfterKickGroupCommand`;
    await expectAck(await post(app, path, { body: quitBody() }));
    expect(jobs.map((j) => j.data.command)).toEqual(['callbackAfterQuitGroupCommand']);
  });

  it('accepts the ?command= form of v3.0 to v3.4.0', async () => {
    const { app, jobs } = setup();
    await expectAck(await post(app, '/callback?command=callbackAfterQuitGroupCommand', { body: quitBody() }));
    expect(jobs.map((j) => j.data.command)).toEqual(['callbackAfterQuitGroupCommand']);
  });

  it('enqueues an older spelling under the canonical command', async () => {
    const { app, jobs } = setup();
    const body = quitBody({ callbackCommand: 'callbackQuitGroupCommand' });
    await expectAck(await post(app, '/callback/callbackQuitGroupCommand', { body }));
    expect(jobs.map((j) => j.data.command)).toEqual(['callbackAfterQuitGroupCommand']);
  });

  it('accepts an empty operationID header, and none at all as empty (OpenIM v3.0 to v3.6 leave it out)', async () => {
    const { app, jobs } = setup();
    await expectAck(await post(app, '/callback/callbackAfterQuitGroupCommand', { body: quitBody(), operationID: '' }));
    await expectAck(
      await post(app, '/callback/callbackAfterQuitGroupCommand', { body: quitBody(), operationID: null }),
    );
    expect(jobs.map((j) => j.data.operationID)).toEqual(['', '']);
  });

  it('accepts NUL characters in strings and keeps them in the payload (a v3.0 dismissal’s groupType is "\\u0000")', async () => {
    const { app, jobs } = setup();
    const body = quitBody({ groupID: 'g\u0000nul', nickname: '\u0000' });
    await expectAck(await post(app, '/callback/callbackAfterQuitGroupCommand', { body }));
    expect(jobs[0]?.data.payload).toMatchObject({ groupID: 'g\u0000nul', nickname: '\u0000' });
    expect(jobs[0]?.data.event).toMatchObject({ groupID: 'g\u0000nul' });
  });

  it.each(['application/json', 'Application/JSON;charset=UTF-8', 'application/json ; charset=utf-8'])(
    'accepts Content-Type %s',
    async (contentType) => {
      const { app, jobs } = setup();
      const headers = { 'Content-Type': contentType };
      await expectAck(await post(app, '/callback/callbackAfterQuitGroupCommand', { body: quitBody(), headers }));
      expect(jobs).toHaveLength(1);
    },
  );

  it('accepts a chunked body (no Content-Length) under the limit', async () => {
    const { app, jobs } = setup();
    const fixture = readFixture('callbackAfterCreateGroupCommand');
    const stream = streamOf([fixture.subarray(0, 10), fixture.subarray(10, 200), fixture.subarray(200)]);
    await expectAck(await post(app, '/callback/callbackAfterCreateGroupCommand', { body: stream }));
    expect(jobs[0]?.body.equals(fixture)).toBe(true);
  });

  it('accepts a body of exactly the limit, declared or chunked', async () => {
    const body = quitBody().padEnd(200, ' ');
    for (const variant of ['declared', 'chunked'] as const) {
      const { app, jobs } = setup({ maxBodyBytes: 200 });
      const response =
        variant === 'declared'
          ? await post(app, '/callback/callbackAfterQuitGroupCommand', { body, headers: { 'Content-Length': '200' } })
          : await post(app, '/callback/callbackAfterQuitGroupCommand', { body: streamOf([Buffer.from(body)]) });
      await expectAck(response);
      expect(jobs, variant).toHaveLength(1);
    }
  });

  it('parses a register body with a secret once, and enqueues it without the secret', async () => {
    const { app, jobs } = setup();
    const body =
      '{"callbackCommand":"callbackAfterUserRegisterCommand","secret":"openIM123","users":[{"userID":"u1","nickname":"n","createTime":1713351839000}]}\n';
    const parse = vi.spyOn(JSON, 'parse');
    try {
      await expectAck(await post(app, '/callback/callbackAfterUserRegisterCommand', { body }));
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.body.toString()).not.toContain('openIM123');
    expect(jobs[0]?.data.payload).not.toHaveProperty('secret');
    expect(jobs[0]?.data.payload).toMatchObject({ users: [{ userID: 'u1' }] });
  });
});

describe('refused callbacks', () => {
  /** Sends a request and checks the refusal; nothing may reach the producer. */
  async function expectRefused(
    options: PostOptions & { path?: string; setup?: SetupOptions },
    status: number,
    errMsg?: RegExp,
  ) {
    const { app, jobs } = setup(options.setup);
    const response = await post(app, options.path ?? '/callback/callbackAfterQuitGroupCommand', {
      body: quitBody(),
      ...options,
    });
    const body = await expectError(response, status, errMsg);
    expect(jobs).toEqual([]);
    return body;
  }

  /** Refused, and kept for a later redrive with the exact bytes and the reason. */
  async function expectKept(options: PostOptions, errMsg: RegExp) {
    const { app, jobs, kept } = setup();
    const response = await post(app, '/callback/callbackAfterQuitGroupCommand', options);
    const body = await expectError(response, 400, errMsg);
    expect(jobs).toEqual([]);
    expect(kept).toHaveLength(1);
    expect(kept[0]?.reason).toBe(body.errMsg);
    expect(kept[0]?.record).toMatchObject({
      command: 'callbackAfterQuitGroupCommand',
      operationID: '1713351839432-abc',
    });
    expect(Buffer.from(kept[0]?.record.body ?? []).toString()).toBe(String(options.body));
  }

  it('400 and kept for a known command whose body fails its schema', async () => {
    await expectKept({ body: quitBody({ groupID: 42 }) }, /groupID/);
    await expectKept({ body: '[]' }, /object/);
    await expectKept({ body: quitBody({ callbackCommand: 'callbackAfterKickGroupCommand' }) }, /another command/);
    await expectKept({ body: quitBody().replace('{', '{"__proto__":{"x":1},') }, /__proto__/);
  });

  it('503 when Redis cannot keep a refused body', async () => {
    const { app, state } = setup();
    state.failing = true;
    await expectError(await post(app, '/callback/callbackAfterQuitGroupCommand', { body: '[]' }), 503);
  });

  it('nothing kept for garbage: not JSON, an unknown command', async () => {
    for (const [path, body] of [
      ['/callback/callbackAfterQuitGroupCommand', '{"callbackCommand":'],
      ['/callback/callbackAfterNothingCommand', quitBody()],
    ] as const) {
      const { app, kept } = setup();
      const response = await post(app, path, { body });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(kept).toEqual([]);
    }
  });

  it('404 for an unknown command, in either URL form', async () => {
    await expectRefused({ path: '/callback/callbackAfterNothingCommand' }, 404, /callbackAfterNothingCommand/);
    await expectRefused({ path: '/callback?command=callbackAfterNothingCommand' }, 404, /callbackAfterNothingCommand/);
  });

  it('404 for a known command that is not enabled', async () => {
    const catalog = createCatalog(['callbackAfterKickGroupCommand']);
    await expectRefused({ setup: { catalog } }, 404, /callbackAfterQuitGroupCommand.*not enabled/);
  });

  it('404 when the URL names no command', async () => {
    await expectRefused({ path: '/callback' }, 404, /command/);
    await expectRefused({ path: '/callback/' }, 404, /command/);
  });

  it('400 when the body’s callbackCommand names another command', async () => {
    const body = quitBody({ callbackCommand: 'callbackAfterKickGroupCommand' });
    await expectRefused({ body }, 400, /callbackAfterKickGroupCommand/);
  });

  it('400 naming the field of the wrong type', async () => {
    const body = await expectRefused({ body: quitBody({ groupID: 42 }) }, 400, /groupID/);
    expect(body.errMsg).toMatch(/^callbackAfterQuitGroupCommand: groupID: .*string/);
  });

  it('400 for a body that is not JSON', async () => {
    await expectRefused({ body: '{"callbackCommand":' }, 400, /not valid JSON/);
    await expectRefused({ body: 'callbackCommand=x&groupID=1' }, 400, /not valid JSON/);
  });

  it.each(['[]', '"callbackAfterQuitGroupCommand"', 'null', '42'])('400 for a JSON %s, not an object', async (body) => {
    await expectRefused({ body }, 400, /object/);
  });

  it('400 for an empty body, with or without Content-Length', async () => {
    await expectRefused({ body: new Uint8Array(0) }, 400, /empty/);
    await expectRefused({ body: new Uint8Array(0), headers: { 'Content-Length': '0' } }, 400, /empty/);
    await expectRefused({ body: undefined }, 400, /empty/);
  });

  it('400 for a body that is not UTF-8', async () => {
    const body = Buffer.concat([Buffer.from(quitBody().slice(0, -2)), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    await expectRefused({ body }, 400, /UTF-8/);
  });

  it.each([
    ['no Content-Type', { 'Content-Type': '' }],
    ['text/plain', { 'Content-Type': 'text/plain; charset=utf-8' }],
    ['a form', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['json as a parameter only', { 'Content-Type': 'text/html; x=application/json' }],
    ['a json prefix', { 'Content-Type': 'application/jsonp' }],
  ])('415 for %s', async (_label, headers) => {
    const { app, jobs } = setup();
    const allHeaders = new Headers({ Operationid: '1', ...headers });
    if (headers['Content-Type'] === '') allHeaders.delete('Content-Type');
    const response = await app.request('/callback/callbackAfterQuitGroupCommand', {
      method: 'POST',
      headers: allHeaders,
      body: Buffer.from(quitBody()),
    });
    await expectError(response, 415, /Content-Type/);
    expect(jobs).toEqual([]);
  });

  it('413 when Content-Length declares more than the limit, without reading the body', async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(Buffer.from(quitBody().padEnd(101, ' ')));
        controller.close();
      },
    });
    const headers = { 'Content-Length': '101' };
    await expectRefused({ setup: { maxBodyBytes: 100 }, body: stream, headers }, 413, /100 bytes/);
    // A ReadableStream pulls once on its own to fill its queue; the ingress must not ask for more.
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it('413 for a chunked body over the limit, and stops reading it', async () => {
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(64).fill(0x20));
      },
      cancel() {
        cancelled = true;
      },
    });
    await expectRefused({ setup: { maxBodyBytes: 1000 }, body: endless }, 413, /1000 bytes/);
    expect(cancelled).toBe(true);
    // Past the limit it drains 4× the limit more (keeps keep-alive connections in sync), then stops.
    expect(pulled).toBeLessThan(100);
  });

  it('400 for a Content-Length that is not a number', async () => {
    await expectRefused({ headers: { 'Content-Length': '12abc' } }, 400, /Content-Length/);
  });

  it('503 when the producer cannot enqueue', async () => {
    const { app, jobs, state } = setup();
    state.failing = true;
    const response = await post(app, '/callback/callbackAfterQuitGroupCommand', { body: quitBody() });
    await expectError(response, 503, /unavailable/);
    expect(jobs).toEqual([]);
  });
});

describe('routes', () => {
  it.each(['GET', 'PUT', 'DELETE'])('405 for %s on the callback path', async (method) => {
    const { app, jobs } = setup();
    for (const path of ['/callback/callbackAfterQuitGroupCommand', '/callback', '/callback?command=x']) {
      const response = await app.request(path, { method, headers: { Operationid: '1' } });
      await expectError(response, 405, new RegExp(method));
      expect(response.headers.get('allow')).toBe('POST');
    }
    expect(jobs).toEqual([]);
  });

  it('404 for unknown routes', async () => {
    const { app, jobs } = setup();
    await expectError(await app.request('/nope'), 404, /nope/);
    await expectError(await post(app, '/callbacks/callbackAfterQuitGroupCommand', { body: quitBody() }), 404);
    await expectError(await post(app, '/callback/callbackAfterQuitGroupCommand/extra', { body: quitBody() }), 404);
    await expectError(await post(app, '/healthz', { body: quitBody() }), 404);
    expect(jobs).toEqual([]);
  });

  it('/healthz answers 200 whatever Redis does', async () => {
    const { app, state } = setup();
    state.ready = false;
    const response = await app.request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz follows the producer (a second late at most) and shutdown (at once)', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const { app, state, startShutdown } = setup();
      expect((await app.request('/readyz')).status).toBe(200);
      state.ready = false;
      expect((await app.request('/readyz')).status).toBe(200);
      vi.advanceTimersByTime(1000);
      expect((await app.request('/readyz')).status).toBe(503);
      state.ready = true;
      vi.advanceTimersByTime(1000);
      expect((await app.request('/readyz')).status).toBe(200);
      startShutdown();
      const response = await app.request('/readyz');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'shutting down' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('/readyz asks Redis once for a burst of probes, however many come at once', async () => {
    const { app, producer } = setup();
    let pings = 0;
    const ready = producer.ready.bind(producer);
    producer.ready = async () => {
      pings += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return ready();
    };
    const burst = await Promise.all(Array.from({ length: 200 }, () => app.request('/readyz')));
    expect(burst.map((r) => r.status)).toEqual(Array(200).fill(200));
    for (let i = 0; i < 50; i++) expect((await app.request('/readyz')).status).toBe(200);
    expect(pings).toBe(1);
  });

  it('serves callbacks under a custom CALLBACK_BASE_PATH only', async () => {
    const { app, jobs } = setup({ basePath: '/hooks/openim' });
    await expectAck(await post(app, '/hooks/openim/callbackAfterQuitGroupCommand', { body: quitBody() }));
    await expectAck(await post(app, '/hooks/openim//callbackAfterQuitGroupCommand', { body: quitBody() }));
    await expectAck(await post(app, '/hooks/openim?command=callbackAfterQuitGroupCommand', { body: quitBody() }));
    expect(jobs).toHaveLength(3);
    await expectError(await post(app, '/callback/callbackAfterQuitGroupCommand', { body: quitBody() }), 404);
    await expectError(await post(app, '/hooks/callbackAfterQuitGroupCommand', { body: quitBody() }), 404);
    await expectError(await post(app, '/hooks/openimcallbackAfterQuitGroupCommand', { body: quitBody() }), 404);
    await expectError(await app.request('/hooks/openim/callbackAfterQuitGroupCommand'), 405);
    expect(jobs).toHaveLength(3);
  });

  it('serves callbacks at the root when CALLBACK_BASE_PATH is "/", health checks still answer', async () => {
    const { app, jobs } = setup({ basePath: '/' });
    await expectAck(await post(app, '/callbackAfterQuitGroupCommand', { body: quitBody() }));
    await expectAck(await post(app, '//callbackAfterQuitGroupCommand', { body: quitBody() }));
    await expectAck(await post(app, '/?command=callbackAfterQuitGroupCommand', { body: quitBody() }));
    expect(jobs).toHaveLength(3);
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/readyz')).status).toBe(200);
  });
});

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}
