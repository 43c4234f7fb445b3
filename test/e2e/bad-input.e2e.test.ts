// The bad-input corpus against the real ingress process over real HTTP:
// every kind of bad request gets OpenIM's five-field JSON error with the
// right status, enqueues nothing (the queue's keys stay exactly as they
// were, but for the rejected stream, which keeps the bodies of known
// commands that cannot become a job), and the process keeps serving: the next good callback gets its 200,
// and its memory stays bounded after many rounds of the whole corpus.
import { Agent, request } from 'node:http';
import { Readable } from 'node:stream';
import {
  type CallbackQueue,
  createAdminConnection,
  createCallbackQueue,
  inboxKeys,
  type QueueSettings,
} from '@openim-sync/queue';
import { type ServiceProcess, type Stack, startStack } from '@openim-sync/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkedBody, httpRequest, type RawResponse, rawRequest, residentBytes } from './raw-http.js';

const MAX_BODY_BYTES = 1024 * 1024;
const QUIT = '/callback/callbackAfterQuitGroupCommand';
const KICK = '/callback/callbackAfterKickGroupCommand';
const JOIN = '/callback/callbackAfterJoinGroupCommand';
const JSON_TYPE = 'application/json; charset=utf-8';
/** Rounds of the whole corpus for the memory check, and the RSS growth they may cause. */
const ROUNDS = 8;
const MAX_RSS_GROWTH = 50 * 1024 * 1024;

const quit = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({ callbackCommand: 'callbackAfterQuitGroupCommand', groupID: 'g1', userID: 'u1', ...fields });
/** A quit body with `raw` spliced in as the first member (for keys JSON.stringify would not write). */
const quitWith = (raw: string) => quit().replace('{', `{${raw},`);
const headers = (extra: Record<string, string | number> = {}) => ({
  'Content-Type': JSON_TYPE,
  Operationid: `op-bad-${Math.random().toString(36).slice(2)}`,
  ...extra,
});

/** One kind of bad request: how to send it and what the ingress must answer. */
interface BadCase {
  name: string;
  status: number;
  /** What errMsg must say (the reason, so a right status for a wrong reason fails). */
  errMsg?: RegExp;
  send: (port: number) => Promise<RawResponse>;
  /** A known command that cannot become a job: refused AND kept in the rejected stream, never thrown away. */
  kept?: true;
}

const post =
  (path: string, body: Buffer | string, extra: Record<string, string | number> = {}) =>
  (port: number) =>
    httpRequest(port, { path, headers: headers(extra), body });
const raw =
  (lines: string[], body = '') =>
  (port: number) =>
    rawRequest(port, `${lines.join('\r\n')}\r\nConnection: close\r\n\r\n${body}`);

const corpus: BadCase[] = [
  // --- bodies that are not a JSON object ---------------------------------------
  {
    name: 'truncated JSON',
    status: 400,
    errMsg: /not valid JSON/,
    send: post(QUIT, '{"callbackCommand":"callbackAfterQuitGroupCommand",'),
  },
  { name: 'form-encoded text', status: 400, errMsg: /not valid JSON/, send: post(QUIT, 'callbackCommand=x&groupID=1') },
  {
    name: 'JSON with a trailing comma',
    status: 400,
    errMsg: /not valid JSON/,
    send: post(QUIT, `${quit().slice(0, -1)},}`),
  },
  {
    name: 'a byte-order mark before the JSON',
    status: 400,
    errMsg: /not valid JSON/,
    send: post(QUIT, `\ufeff${quit()}`),
  },
  { name: 'a JSON array', status: 400, errMsg: /must be a JSON object/, kept: true, send: post(QUIT, `[${quit()}]`) },
  {
    name: 'a JSON string',
    status: 400,
    errMsg: /must be a JSON object/,
    kept: true,
    send: post(QUIT, '"callbackAfterQuitGroupCommand"'),
  },
  { name: 'a JSON number', status: 400, errMsg: /must be a JSON object/, kept: true, send: post(QUIT, '42') },
  { name: 'JSON null', status: 400, errMsg: /must be a JSON object/, kept: true, send: post(QUIT, 'null') },
  { name: 'JSON true', status: 400, errMsg: /must be a JSON object/, kept: true, send: post(QUIT, 'true') },
  // --- fields: types, presence, nulls -------------------------------------------
  {
    name: 'groupID of the wrong type',
    status: 400,
    errMsg: /groupID: .*string/,
    kept: true,
    send: post(QUIT, quit({ groupID: 3027412834 })),
  },
  {
    name: 'kickedUserIDs as a string, not a list',
    status: 400,
    errMsg: /kickedUserIDs/,
    kept: true,
    send: post(
      KICK,
      JSON.stringify({ callbackCommand: 'callbackAfterKickGroupCommand', groupID: 'g', kickedUserIDs: 'u1' }),
    ),
  },
  {
    name: 'joinSource as a string',
    status: 400,
    errMsg: /joinSource/,
    kept: true,
    send: post(
      JOIN,
      JSON.stringify({
        callbackCommand: 'callbackAfterJoinGroupCommand',
        groupID: 'g',
        inviterUserID: 'u',
        joinSource: '3',
      }),
    ),
  },
  {
    name: 'a required field missing',
    status: 400,
    errMsg: /userID/,
    kept: true,
    send: post(QUIT, JSON.stringify({ callbackCommand: 'callbackAfterQuitGroupCommand', groupID: 'g1' })),
  },
  {
    name: 'callbackCommand missing',
    status: 400,
    errMsg: /callbackCommand/,
    kept: true,
    send: post(QUIT, JSON.stringify({ groupID: 'g1', userID: 'u1' })),
  },
  {
    name: 'callbackCommand not a string',
    status: 400,
    errMsg: /callbackCommand/,
    kept: true,
    send: post(QUIT, quit({ callbackCommand: 7 })),
  },
  { name: 'groupID null', status: 400, errMsg: /groupID/, kept: true, send: post(QUIT, quit({ groupID: null })) },
  {
    name: 'an empty userID',
    status: 400,
    errMsg: /userID: must be a non-empty string/,
    kept: true,
    send: post(QUIT, quit({ userID: '' })),
  },
  {
    name: 'URL and body naming different commands',
    status: 400,
    errMsg: /names another command/,
    kept: true,
    send: post(QUIT, quit({ callbackCommand: 'callbackAfterKickGroupCommand' })),
  },
  // --- keys and values the pipeline must not carry ------------------------------
  {
    name: 'a "__proto__" key',
    status: 400,
    errMsg: /"__proto__"/,
    kept: true,
    send: post(QUIT, quitWith('"__proto__":{"polluted":true}')),
  },
  {
    name: '"constructor"/"prototype" keys nested',
    status: 400,
    errMsg: /"constructor"|"prototype"/,
    kept: true,
    send: post(QUIT, quitWith('"ex":{"constructor":{"prototype":{"polluted":true}}}')),
  },
  {
    name: '"__proto__" spelled with a \\u escape',
    status: 400,
    errMsg: /"__proto__"/,
    kept: true,
    send: post(QUIT, quitWith('"\\u005f_proto__":{"polluted":true}')),
  },
  {
    name: '100k nested arrays',
    status: 400,
    errMsg: /deeper than 64/,
    kept: true,
    send: post(QUIT, quitWith(`"x":${'['.repeat(100_000)}${']'.repeat(100_000)}`)),
  },
  {
    name: '1000 nested objects',
    status: 400,
    errMsg: /deeper than 64/,
    kept: true,
    send: post(QUIT, quitWith(`"x":${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`)),
  },
  {
    name: 'a raw NUL byte',
    status: 400,
    errMsg: /not valid JSON/,
    send: post(QUIT, Buffer.from(quit({ userID: 'u\u0000' }).replace('\\u0000', '\u0000'))),
  },
  {
    name: 'invalid UTF-8 (0xff 0xfe)',
    status: 400,
    errMsg: /UTF-8/,
    send: post(QUIT, Buffer.concat([Buffer.from(quit().slice(0, -2)), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])),
  },
  {
    name: 'an encoded UTF-16 surrogate (0xed 0xa0 0x80)',
    status: 400,
    errMsg: /UTF-8/,
    send: post(
      QUIT,
      Buffer.concat([Buffer.from('{"callbackCommand":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
    ),
  },
  // --- framing: empty and oversize bodies -------------------------------------
  { name: 'an empty body with Content-Length: 0', status: 400, errMsg: /empty body/, send: post(QUIT, '') },
  {
    name: 'an empty chunked body',
    status: 400,
    errMsg: /empty body/,
    send: (port) => httpRequest(port, { path: QUIT, headers: headers(), body: chunkedBody(0) }),
  },
  {
    name: 'a body over the limit, declared',
    status: 413,
    errMsg: /larger than 1048576 bytes/,
    send: (port) =>
      httpRequest(port, {
        path: QUIT,
        headers: headers({ 'Content-Length': 2 * MAX_BODY_BYTES }),
        body: chunkedBody(2 * MAX_BODY_BYTES),
      }),
  },
  {
    name: 'a body over the limit, chunked',
    status: 413,
    errMsg: /larger than 1048576 bytes/,
    send: (port) => httpRequest(port, { path: QUIT, headers: headers(), body: chunkedBody(3 * MAX_BODY_BYTES) }),
  },
  {
    name: 'a Content-Length that is not a number',
    status: 400,
    errMsg: /HPE_INVALID_CONTENT_LENGTH/,
    send: raw(
      [
        `POST ${QUIT} HTTP/1.1`,
        'Host: ingress',
        `Content-Type: ${JSON_TYPE}`,
        'Operationid: op',
        'Content-Length: 12abc',
      ],
      quit(),
    ),
  },
  // --- headers ------------------------------------------------------------------
  {
    name: 'no Content-Type',
    status: 415,
    errMsg: /Content-Type must be application\/json, got none/,
    send: (port) => httpRequest(port, { path: QUIT, headers: { Operationid: 'op' }, body: quit() }),
  },
  {
    name: 'Content-Type text/plain',
    status: 415,
    errMsg: /text\/plain/,
    send: post(QUIT, quit(), { 'Content-Type': 'text/plain; charset=utf-8' }),
  },
  {
    name: 'Content-Type application/jsonp',
    status: 415,
    errMsg: /jsonp/,
    send: post(QUIT, quit(), { 'Content-Type': 'application/jsonp' }),
  },
  {
    name: 'a multipart form',
    status: 415,
    errMsg: /multipart/,
    send: post(QUIT, quit(), { 'Content-Type': 'multipart/form-data; boundary=x' }),
  },
  // --- routes and methods -------------------------------------------------------
  {
    name: 'an unknown command',
    status: 404,
    errMsg: /unknown callback command "callbackAfterNothingCommand"/,
    send: post('/callback/callbackAfterNothingCommand', quit()),
  },
  {
    name: 'an unknown command, query form',
    status: 404,
    errMsg: /unknown callback command/,
    send: post('/callback?command=callbackAfterNothingCommand&contenttype=json', quit()),
  },
  {
    name: 'a known command that is not enabled',
    status: 404,
    errMsg: /not enabled/,
    send: post('/callback/callbackAfterDisMissGroupCommand', quit()),
  },
  {
    name: 'no command in the URL',
    status: 404,
    errMsg: /no callback command in the URL/,
    send: post('/callback', quit()),
  },
  ...['GET', 'PUT', 'DELETE', 'PATCH'].map((method) => ({
    name: `${method} on the callback path`,
    status: 405,
    errMsg: new RegExp(`method ${method} not allowed`),
    send: (port: number) =>
      httpRequest(port, {
        method,
        path: QUIT,
        headers: method === 'GET' ? {} : headers(),
        ...(method === 'GET' ? {} : { body: quit() }),
      }),
  })),
  { name: 'extra path segments', status: 404, errMsg: /no route/, send: post('/callback/x/y/z', quit()) },
  {
    name: 'encoded dot segments',
    status: 404,
    errMsg: /no route/,
    send: post('/callback/%2e%2e/callbackAfterQuitGroupCommand', quit()),
  },
  { name: 'an encoded slash', status: 404, errMsg: /unknown callback command/, send: post(`${QUIT}%2Fx`, quit()) },
  {
    name: 'an invalid percent-encoding',
    status: 404,
    errMsg: /unknown callback command/,
    send: post('/callback/%E0%A4%A', quit()),
  },
  {
    name: 'an encoded NUL in the path',
    status: 404,
    errMsg: /unknown callback command/,
    send: post(`${QUIT}%00`, quit()),
  },
  {
    name: 'a unicode command',
    status: 404,
    errMsg: /unknown callback command/,
    send: post(`/callback/${encodeURIComponent('callbackAfterQuitGroupCommandé😀')}`, quit()),
  },
  {
    name: 'an 8 KB path',
    status: 404,
    errMsg: /unknown callback command/,
    send: post(`/callback/${'a'.repeat(8 * 1024)}`, quit()),
  },
  {
    name: 'a 20 KB path (over the HTTP parser’s header limit)',
    status: 431,
    errMsg: /HPE_HEADER_OVERFLOW/,
    send: raw(
      [
        `POST /callback/${'a'.repeat(20 * 1024)} HTTP/1.1`,
        'Host: ingress',
        `Content-Type: ${JSON_TYPE}`,
        'Content-Length: 2',
      ],
      '{}',
    ),
  },
  {
    name: 'raw non-ASCII bytes in the request line',
    status: 400,
    errMsg: /HPE_INVALID_URL/,
    send: (port) =>
      rawRequest(
        port,
        Buffer.concat([
          Buffer.from(`POST ${QUIT}`),
          Buffer.from([0xc3, 0xa9]),
          Buffer.from(` HTTP/1.1\r\nHost: ingress\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}`),
        ]),
      ),
  },
  {
    name: 'a path outside the base',
    status: 404,
    errMsg: /no route POST \/callbacks\//,
    send: post('/callbacks/callbackAfterQuitGroupCommand', quit()),
  },
];

/** Requests that are not bad: accepted by design (see docs/security.md); `operationID: null` sends no header. */
const accepted: Array<{ name: string; path: string; body: string; operationID?: null }> = [
  {
    name: 'an id of 5000 characters (OpenIM sets no limit)',
    path: QUIT,
    body: quit({ groupID: 'g'.repeat(5000) }),
  },
  {
    name: 'an escaped NUL character (client data; Go writes string(int32) as "\\u0000")',
    path: QUIT,
    body: quit({ userID: 'u\u0000' }),
  },
  { name: 'no operationID header (OpenIM v3.0 to v3.6 when it is empty)', path: QUIT, body: quit(), operationID: null },
  {
    name: 'unknown extra fields (kept in the payload)',
    path: QUIT,
    body: quit({ extraField: { nested: [1, 2] }, nickName: null }),
  },
  { name: 'a 900 KB string in a free-text field', path: QUIT, body: quit({ ex: 'x'.repeat(900 * 1024) }) },
  {
    name: 'dot segments (normalised to the same path)',
    path: '/callback/../callback/callbackAfterQuitGroupCommand',
    body: quit(),
  },
  {
    name: 'the words __proto__ and constructor as values',
    path: QUIT,
    body: quit({ ex: '{"__proto__":1} constructor prototype' }),
  },
];

/**
 * Requests the HTTP layer refuses before the app runs. Node and
 * @hono/node-server answer them with a bare 400 (no five-field body): a
 * documented limitation; OpenIM's Go client never sends them.
 */
const transportLevel = [
  {
    name: 'a raw backslash in the path',
    lines: [`POST /callback\\callbackAfterQuitGroupCommand HTTP/1.1`, 'Host: ingress'],
  },
  { name: 'no Host header', lines: [`POST ${QUIT} HTTP/1.1`] },
  { name: 'a Host header with a space', lines: [`POST ${QUIT} HTTP/1.1`, 'Host: in gress'] },
];

describe('bad input against the running ingress', () => {
  let stack: Stack;
  let settings: QueueSettings;
  let ingress: ServiceProcess;
  let port: number;
  let connection: Redis;
  let queue: CallbackQueue;
  let goodSent = 0;

  beforeAll(async () => {
    stack = await startStack({ label: 'bad_input' });
    settings = stack.names as QueueSettings;
    const started = await stack.startIngress({
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      ENABLED_COMMANDS: 'callbackAfterQuitGroupCommand,callbackAfterKickGroupCommand,callbackAfterJoinGroupCommand',
    });
    ingress = started.process;
    port = started.port;
    connection = createAdminConnection(stack.redisUrl);
    queue = createCallbackQueue(settings, connection);
    await queue.waitUntilReady();
  });

  afterAll(async () => {
    await queue?.close();
    connection?.disconnect();
    await stack?.close();
  });

  /** Every key the test's queue has in Redis, sorted: "nothing enqueued" means this does not change. */
  async function queueKeys(): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await connection.scan(
        cursor,
        'MATCH',
        `${settings.prefix}:${settings.name}:*`,
        'COUNT',
        1000,
      );
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    return keys.sort();
  }

  /** Jobs in the queue plus callbacks in its inbox (no worker moves them here). */
  async function totalJobs(): Promise<number> {
    const jobs = Object.values(await queue.getJobCounts()).reduce((sum, n) => sum + n, 0);
    return jobs + (await connection.xlen(inboxKeys(settings).stream));
  }

  /** The body the ingress appended to the inbox for this operationID. */
  async function inboxBody(operationID: string): Promise<unknown> {
    const entries = await connection.xrange(inboxKeys(settings).stream, '-', '+');
    for (const [, fields] of entries) {
      const record = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) record.set(fields[i] as string, fields[i + 1] as string);
      if (record.get('o') === operationID) return JSON.parse(record.get('b') ?? 'null');
    }
    return undefined;
  }

  /** A good callback must still be acknowledged and become exactly one job. */
  async function expectStillServing() {
    const before = await totalJobs();
    const response = await httpRequest(port, {
      path: QUIT,
      headers: { 'Content-Type': JSON_TYPE, Operationid: `op-good-${++goodSent}` },
      body: quit({ userID: `u-${goodSent}` }),
    });
    expect(response.status, 'the next good request').toBe(200);
    expect(JSON.parse(response.body)).toEqual({ actionCode: 0, errCode: 0, errMsg: '', errDlt: '', nextCode: 0 });
    expect(await totalJobs()).toBe(before + 1);
  }

  function expectFiveFieldError(response: RawResponse, status: number, errMsg?: RegExp) {
    expect(response.status).toBe(status);
    expect(String(response.headers['content-type'])).toMatch(/^application\/json/);
    const body = JSON.parse(response.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['actionCode', 'errCode', 'errDlt', 'errMsg', 'nextCode']);
    expect(body).toMatchObject({ actionCode: 0, errCode: status, nextCode: 0, errDlt: expect.any(String) });
    expect(body.errMsg).toEqual(expect.stringMatching(/./));
    if (errMsg) expect(body.errMsg).toMatch(errMsg);
  }

  it(`has at least 30 kinds of bad request (${corpus.length})`, () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
  });

  it.each(corpus)(
    '$status for $name, nothing enqueued, kept only if a known command, still serving',
    async (badCase) => {
      const rejected = inboxKeys(settings).rejected;
      const otherKeys = async () => (await queueKeys()).filter((key) => key !== rejected);
      const keysBefore = await otherKeys();
      const jobsBefore = await totalJobs();
      const keptBefore = await connection.xlen(rejected);
      expectFiveFieldError(await badCase.send(port), badCase.status, badCase.errMsg);
      expect(await totalJobs()).toBe(jobsBefore);
      expect(await connection.xlen(rejected), 'kept in the rejected stream').toBe(keptBefore + (badCase.kept ? 1 : 0));
      expect(await otherKeys()).toEqual(keysBefore);
      await expectStillServing();
    },
  );

  it.each(accepted)('accepts $name (not bad)', async ({ path, body, operationID: header }) => {
    const before = await totalJobs();
    const operationID = header === null ? '' : `op-accepted-${Math.random().toString(36).slice(2)}`;
    const response = await httpRequest(port, {
      path,
      headers: { 'Content-Type': JSON_TYPE, ...(header === null ? {} : { Operationid: operationID }) },
      body,
    });
    expect(response.status).toBe(200);
    expect(await totalJobs()).toBe(before + 1);
    expect(await inboxBody(operationID)).toEqual(JSON.parse(body));
  });

  it.each(transportLevel)('bare 400 from the HTTP layer for $name, nothing enqueued', async ({ lines }) => {
    const keysBefore = await queueKeys();
    const response = await raw(
      [...lines, `Content-Type: ${JSON_TYPE}`, 'Operationid: op', `Content-Length: ${quit().length}`],
      quit(),
    )(port);
    expect(response.status).toBe(400);
    expect(await queueKeys()).toEqual(keysBefore);
    await expectStillServing();
  });

  it.each(['declared', 'chunked'])(
    'keeps the keep-alive connection usable after a 413 for a %s body',
    async (framing) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const send = (extra: Record<string, string | number>, body: Buffer | Readable) =>
        new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, method: 'POST', path: QUIT, agent, headers: headers(extra) });
          req.on('response', (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
          });
          req.on('error', reject);
          if (body instanceof Readable) body.pipe(req);
          else req.end(body);
        });
      try {
        const size = 2 * MAX_BODY_BYTES;
        const first = await send(framing === 'declared' ? { 'Content-Length': size } : {}, chunkedBody(size));
        expect(first.status).toBe(413);
        const second = await send({}, Buffer.from(quit({ userID: `u-${framing}-after-413` })));
        expect(second).toEqual({ status: 200, reused: true });
      } finally {
        agent.destroy();
      }
    },
  );

  it(`stays up with bounded memory over ${ROUNDS} rounds of the corpus`, async () => {
    const pid = ingress.child.pid as number;
    for (const badCase of corpus) expect((await badCase.send(port)).status).toBe(badCase.status); // warm-up
    const rssBefore = await residentBytes(pid);
    const keysBefore = await queueKeys();
    for (let round = 0; round < ROUNDS; round++) {
      for (const badCase of corpus) expect((await badCase.send(port)).status, badCase.name).toBe(badCase.status);
    }
    const rssAfter = await residentBytes(pid);
    console.info(
      `ingress RSS over ${ROUNDS} rounds of ${corpus.length} bad requests: ${rssBefore} → ${rssAfter} bytes`,
    );
    expect(await queueKeys()).toEqual(keysBefore);
    expect(ingress.child.exitCode).toBeNull();
    expect(rssAfter - rssBefore, `RSS ${rssBefore} → ${rssAfter} bytes`).toBeLessThan(MAX_RSS_GROWTH);
    await expectStillServing();
    // Nothing the corpus sent reached the unhandled-error path.
    expect(ingress.output.filter((line) => /unhandled|"level":50|"level":60/.test(line))).toEqual([]);
  });
});
