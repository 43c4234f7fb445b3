// Property-based fuzzing of the whole request space through app.request():
// whatever comes in, the answer is one of the expected statuses with
// OpenIM's five-field JSON, never a 500, and a job is enqueued exactly when
// the answer is 200.
import type { Logger } from '@openim-sync/runtime';
import { commandDefinitions, createCatalog } from '@openim-sync/schema';
import { readFixture } from '@openim-sync/testing';
import fc from 'fast-check';
import type { Context } from 'hono';
import { describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import type { Producer } from './producer.js';

const TOKEN = 'fuzz-Token_0123456789.abc~XYZ';
const MAX_BODY = 4096;
const EXPECTED = new Set([200, 400, 401, 403, 404, 405, 413, 415]);
const silent = { warn() {}, error() {}, info() {}, debug() {}, isLevelEnabled: () => false } as unknown as Logger;

const fixtures = commandDefinitions.flatMap((d) => {
  try {
    return [
      { command: d.command, body: JSON.parse(readFixture(d.command).toString('utf8')) as Record<string, unknown> },
    ];
  } catch {
    return [];
  }
});
const commands = commandDefinitions.flatMap((d) => [d.command, ...d.aliases]);

/** Why a payload must not travel on (the worker, Postgres or the App would choke on it), if it must not. */
function unsafe(payload: unknown): string | undefined {
  const pending: Array<[unknown, number]> = [[payload, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, depth] = next;
    if (depth > 64) return 'nested deeper than 64';
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, item] of Object.entries(value)) {
      if (['__proto__', 'constructor', 'prototype'].includes(key)) return `key ${key}`;
      pending.push([item, depth + 1]);
    }
  }
  return undefined;
}

function createFuzzApp(secured: boolean) {
  let enqueued = 0;
  const producer: Producer = {
    async enqueue(data) {
      // What the real queue does with the data: a payload it cannot serialise must never get a 200.
      JSON.stringify(data);
      expect(unsafe(data.payload), 'enqueued payload').toBeUndefined();
      enqueued++;
      return { ok: true, jobId: `fake-${enqueued}` };
    },
    keep: async () => ({ ok: true }),
    ready: async () => true,
  };
  const app = createApp({
    config: {
      basePath: '/callback',
      maxBodyBytes: MAX_BODY,
      security: secured
        ? { callbackToken: TOKEN, allowedIps: ['10.0.0.0/8', '2001:db8::/32'], trustedProxies: [] }
        : { allowedIps: [], trustedProxies: [] },
    },
    catalog: createCatalog(),
    producer,
    logger: silent,
    // The fuzzer says where each request comes from.
    clientAddress: (c: Context) => c.req.header('x-fuzz-client'),
  });
  return { app, enqueued: () => enqueued };
}

// --- the request space ------------------------------------------------------

const method = fc.oneof(
  { weight: 4, arbitrary: fc.constant('POST') },
  { weight: 3, arbitrary: fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PROPFIND') },
);

const segment = fc.oneof(
  fc.constantFrom(...commands),
  fc.constantFrom(TOKEN, `${TOKEN}x`, TOKEN.slice(1), '', '..', '.', '%2e%2e', '%2F', '%00', '%ZZ', 'x', 'é', '😀'),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
  fc.webSegment(),
);
const path = fc.oneof(
  { weight: 3, arbitrary: fc.array(segment, { maxLength: 4 }).map((s) => `/callback/${s.join('/')}`) },
  { weight: 2, arbitrary: fc.constantFrom(...commands).map((c) => `/callback/${TOKEN}/${c}`) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('', `/${TOKEN}`, '/x'), segment).map(([t, c]) => `/callback${t}?command=${c}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .webPath()
      .filter((p) => p !== '/healthz' && p !== '/readyz')
      .map((p) => p || '/'),
  },
);

const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON;charset=UTF-8',
  'application/vnd.openim+json',
  'text/plain',
  'application/jsonp',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/html; x=application/json',
);
const headerValue = fc.stringMatching(/^[\x21-\x7e]{0,40}$/);
const ALLOWED_CLIENTS = ['10.1.2.3', '::ffff:10.9.9.9', '2001:db8::1'];
const client = fc.constantFrom<string | undefined>(undefined, ...ALLOWED_CLIENTS, '192.168.0.1', '::1', 'garbage');
const headers = fc.record({
  contentType,
  operationID: fc.option(headerValue, { nil: undefined }),
  client,
  declareLength: fc.boolean(),
});

const MUTATIONS = ['drop', 'retype', 'nest', 'proto', 'command', 'nul', 'long-id'] as const;

/** A real OpenIM body, as sent or mutated the way a buggy or hostile sender would. */
function mutate(fixture: (typeof fixtures)[number], mutation: string, pick: number, value: unknown, depth: number) {
  const body: Record<string, unknown> = { ...fixture.body };
  const keys = Object.keys(body);
  const key = keys[pick % keys.length] ?? 'groupID';
  if (mutation === 'drop') delete body[key];
  if (mutation === 'retype') body[key] = value;
  if (mutation === 'nest') body[key] = Array.from({ length: depth }).reduce<unknown>((inner) => [inner], body[key]);
  if (mutation === 'command') body.callbackCommand = commands[pick % commands.length];
  if (mutation === 'nul') body[key] = 'a\u0000b';
  if (mutation === 'long-id') body[key] = 'x'.repeat(257 + (pick % 100));
  const text = JSON.stringify(body);
  return Buffer.from(mutation === 'proto' ? text.replace('{', '{"__proto__":{"polluted":true},') : `${text}\n`);
}

const fixtureBody = fc
  .tuple(
    fc.constantFrom(...fixtures),
    fc.oneof({ weight: 1, arbitrary: fc.constant('none') }, { weight: 1, arbitrary: fc.constantFrom(...MUTATIONS) }),
    fc.nat(),
    fc.jsonValue({ maxDepth: 2 }),
    fc.integer({ min: 1, max: 80 }),
  )
  .map(([fixture, mutation, pick, value, depth]) => ({
    command: fixture.command,
    body: mutate(fixture, mutation, pick, value, depth),
  }));

const body = fc.oneof(
  { weight: 3, arbitrary: fixtureBody.map((f) => f.body) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }).map((text) => Buffer.from(text)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', '{}', '[]', 'null', '"x"', '{"callbackCommand":').map((t) => Buffer.from(t)),
  },
  { weight: 1, arbitrary: fc.integer({ min: MAX_BODY - 10, max: MAX_BODY * 2 }).map((n) => Buffer.alloc(n, 0x20)) },
);

/** Anything at all: most of it is refused early. */
const anyRequest = fc.record({ method, path, headers, body });

/** Close to what OpenIM sends (fixture, its command, JSON, operationID), with one or two things off. */
function nearValidRequest(secured: boolean) {
  const tokens = secured ? [TOKEN, TOKEN, TOKEN, undefined, `${TOKEN}-old`] : [undefined, undefined, undefined, TOKEN];
  const likely = <T>(usual: fc.Arbitrary<T>, other: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 5, arbitrary: usual }, { weight: 1, arbitrary: other });
  return fc
    .record({
      fixture: fixtureBody,
      form: fc.constantFrom('path', 'path', 'query', 'double-slash'),
      token: fc.constantFrom(...tokens),
      method: likely(fc.constant('POST'), method),
      contentType: likely(fc.constantFrom('application/json', 'application/json; charset=utf-8'), contentType),
      client: likely(fc.constantFrom(...ALLOWED_CLIENTS), client),
      operationID: likely(headerValue, fc.constant(undefined)),
      declareLength: fc.boolean(),
      oversize: likely(fc.constant(0), fc.integer({ min: 1, max: MAX_BODY })),
    })
    .map(({ fixture, form, token, method, oversize, ...headers }) => {
      const base = token ? `/callback/${token}` : '/callback';
      const path =
        form === 'query'
          ? `${base}?command=${fixture.command}`
          : `${base}${form === 'path' ? '/' : '//'}${fixture.command}`;
      const padded = oversize
        ? Buffer.concat([fixture.body, Buffer.alloc(Math.max(MAX_BODY - fixture.body.length, 0) + oversize, 0x20)])
        : fixture.body;
      return { method, path, headers, body: padded };
    });
}

const requestFor = (secured: boolean) => fc.oneof(anyRequest, nearValidRequest(secured));
type FuzzRequest = typeof anyRequest extends fc.Arbitrary<infer T> ? T : never;

async function send(app: ReturnType<typeof createFuzzApp>['app'], r: FuzzRequest) {
  const h = new Headers();
  if (r.headers.contentType !== undefined) h.set('content-type', r.headers.contentType);
  if (r.headers.operationID !== undefined) h.set('operationid', r.headers.operationID);
  if (r.headers.client !== undefined) h.set('x-fuzz-client', r.headers.client);
  const hasBody = r.method !== 'GET' && r.method !== 'HEAD';
  if (hasBody && r.headers.declareLength) h.set('content-length', String(r.body.length));
  return app.request(r.path, { method: r.method, headers: h, ...(hasBody ? { body: r.body } : {}) });
}

/** The properties every answer must have; returns the status. */
async function checkAnswer(response: Response, r: FuzzRequest, enqueuedBefore: number, enqueuedAfter: number) {
  const { status } = response;
  expect(EXPECTED.has(status), `status ${status}`).toBe(true);
  expect(enqueuedAfter - enqueuedBefore, 'enqueued iff 200').toBe(status === 200 ? 1 : 0);
  if (r.method === 'HEAD') return status; // Hono answers HEAD as GET without the body.
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const answer = (await response.json()) as Record<string, unknown>;
  expect(Object.keys(answer).sort()).toEqual(['actionCode', 'errCode', 'errDlt', 'errMsg', 'nextCode']);
  expect(answer.actionCode).toBe(0);
  expect(answer.nextCode).toBe(0);
  expect(answer.errCode).toBe(status === 200 ? 0 : status);
  expect(typeof answer.errMsg === 'string' && (answer.errMsg === '') === (status === 200)).toBe(true);
  expect(typeof answer.errDlt).toBe('string');
  return status;
}

describe('fuzzing the request space', () => {
  it('without security settings', async () => {
    const { app, enqueued } = createFuzzApp(false);
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(requestFor(false), async (r) => {
        const before = enqueued();
        const response = await send(app, r);
        seen.add(await checkAnswer(response, r, before, enqueued()));
      }),
      { numRuns: 400 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A fuzzer that never reaches the interesting answers proves little.
    for (const status of [200, 400, 404, 405, 413, 415]) expect(seen, `status ${status} reached`).toContain(status);
  });

  it('with CALLBACK_TOKEN and ALLOWED_IPS: 200 only with the token from an allowed address', async () => {
    const { app, enqueued } = createFuzzApp(true);
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(requestFor(true), async (r) => {
        const before = enqueued();
        const response = await send(app, r);
        const status = await checkAnswer(response, r, before, enqueued());
        seen.add(status);
        if (status === 200) {
          expect(new URL(r.path, 'http://x').pathname.split('/')[2]).toBe(TOKEN);
          expect(ALLOWED_CLIENTS).toContain(r.headers.client);
        }
      }),
      { numRuns: 400 },
    );
    for (const status of [200, 400, 401, 403, 404, 405]) expect(seen, `status ${status} reached`).toContain(status);
  });
});
