import type { CallbackJobData } from '@openim-sync/queue';
import type { Logger } from '@openim-sync/runtime';
import { createCatalog } from '@openim-sync/schema';
import { readFixture } from '@openim-sync/testing';
import type { Context } from 'hono';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import type { Producer } from '../producer.js';
import type { SecuritySettings } from './security-env.js';

const TOKEN = 'Tq7-Vb2_Xw9.Lm4~Zr8Kc1';
const QUIT = 'callbackAfterQuitGroupCommand';
const ACK = '{"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0}';
const quitBody = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({ callbackCommand: QUIT, groupID: 'g1', userID: 'u1', ...fields });

interface Options {
  security?: Partial<SecuritySettings>;
  /** Injected client address; the default reads the (absent) socket. */
  address?: string | undefined;
  basePath?: string;
}

/** A logger that keeps exactly what the app hands it, before any redaction. */
function recordingLogger(lines: string[]): Logger {
  const record =
    (level: string) =>
    (fields: unknown, message = '') =>
      lines.push(`${level} ${JSON.stringify(fields)} ${message}`);
  const levels = { warn: record('warn'), error: record('error'), info: record('info'), debug: record('debug') };
  // Every level on, so the token checks see the debug lines too.
  return { ...levels, isLevelEnabled: () => true } as unknown as Logger;
}

function setup(options: Options = {}) {
  const { security = {}, address, basePath = '/callback' } = options;
  const jobs: CallbackJobData[] = [];
  const producer: Producer = {
    async enqueue(data) {
      jobs.push(data);
      return { ok: true, jobId: `fake-${jobs.length}` };
    },
    keep: async () => ({ ok: true }),
    ready: async () => true,
  };
  const lines: string[] = [];
  const app = createApp({
    config: {
      basePath,
      maxBodyBytes: 1024 * 1024,
      security: { allowedIps: [], trustedProxies: [], ...security },
    },
    catalog: createCatalog(),
    producer,
    logger: recordingLogger(lines),
    ...('address' in options ? { clientAddress: (_c: Context) => address } : {}),
  });
  const post = (path: string, body: string | Buffer = quitBody(), headers: Record<string, string> = {}) =>
    app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', Operationid: 'op-1', ...headers },
      body,
    });
  return { app, jobs, post, logs: () => lines.join('') };
}

async function expectError(response: Response, status: number) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['actionCode', 'errCode', 'errDlt', 'errMsg', 'nextCode']);
  expect(body).toMatchObject({ actionCode: 0, errCode: status, nextCode: 0 });
  expect(body.errMsg).toEqual(expect.stringMatching(/./));
  return body as { errMsg: string; errDlt: string };
}

describe('CALLBACK_TOKEN', () => {
  const security = { callbackToken: TOKEN };

  it('accepts the path form and the query form behind the token, and "//" after it', async () => {
    const { post, jobs } = setup({ security });
    for (const path of [
      `/callback/${TOKEN}/${QUIT}`,
      `/callback/${TOKEN}?command=${QUIT}`,
      `/callback/${TOKEN}//${QUIT}`,
    ]) {
      const response = await post(path);
      expect(response.status, path).toBe(200);
      expect(await response.text()).toBe(ACK);
    }
    expect(jobs.map((j) => j.command)).toEqual([QUIT, QUIT, QUIT]);
  });

  it.each([
    ['no token, path form', `/callback/${QUIT}`],
    ['no token, query form', `/callback?command=${QUIT}`],
    ['a wrong token', `/callback/not-the-token-at-all/${QUIT}`],
    ['the token with one character changed', `/callback/${TOKEN.slice(0, -1)}X/${QUIT}`],
    ['a prefix of the token', `/callback/${TOKEN.slice(0, 8)}/${QUIT}`],
    ['the token after the command', `/callback/${QUIT}/${TOKEN}`],
    ['a wrong token and extra segments', `/callback/bad-guess/${QUIT}/x/y`],
    ['the token in the query only', `/callback/${QUIT}?token=${TOKEN}`],
    ['nothing after the base', '/callback'],
  ])('401 for %s, refused before the body is read, nothing echoed', async (_label, path) => {
    const { post, jobs, logs } = setup({ security });
    const body = await expectError(await post(path), 401);
    expect(body.errMsg).toMatch(/missing or wrong callback token/);
    const segments = new URL(path, 'http://x').pathname.split('/').filter(Boolean);
    for (const segment of [...segments.slice(1), TOKEN]) expect(body.errMsg).not.toContain(segment);
    expect(jobs).toEqual([]);
    expect(logs()).toMatch(/"status":401/);
    for (const segment of [...segments.slice(1), TOKEN.slice(0, 8)]) expect(logs()).not.toContain(segment);
  });

  it('401 comes before every other check (no hint about commands or headers)', async () => {
    const { post } = setup({ security });
    await expectError(await post('/callback/wrong/callbackAfterNothingCommand', 'not json', { Operationid: '' }), 401);
    await expectError(await post(`/callback/wrong/${QUIT}`, quitBody(), { 'Content-Type': 'text/plain' }), 401);
  });

  it('never puts the token in messages or logs of later refusals', async () => {
    const { post, logs } = setup({ security });
    const refusals = [
      [await post(`/callback/${TOKEN}/${QUIT}/extra`), 404],
      [await post(`/callback/${TOKEN}/callbackAfterNothingCommand`), 404],
      [await post(`/callback/${TOKEN}`), 404],
      [await post(`/callback/${TOKEN}/${QUIT}`, '{"callbackCommand":'), 400],
      [await post(`/callback/${TOKEN}/${QUIT}`, quitBody(), { 'Content-Type': 'text/plain' }), 415],
    ] as const;
    for (const [response, status] of refusals) {
      const body = await expectError(response, status);
      expect(body.errMsg + body.errDlt).not.toContain(TOKEN);
    }
    expect(logs()).toContain('/callback/<token>/');
    expect(logs()).not.toContain(TOKEN);
  });

  it('does not echo a path outside the base (a typo in OpenIM’s url may still hold the token)', async () => {
    const { post } = setup({ security });
    const body = await expectError(await post(`/callbacks/${TOKEN}/${QUIT}`), 404);
    expect(body.errMsg).toBe('no route POST <not a callback path>');
    const open = setup();
    expect((await expectError(await open.post('/callbacks/x'), 404)).errMsg).toBe('no route POST /callbacks/x');
  });

  it('shows the URL shape with <token> when the command is missing', async () => {
    const { post } = setup({ security });
    const body = await expectError(await post(`/callback/${TOKEN}`), 404);
    expect(body.errMsg).toContain('/callback/<token>/<command>');
  });

  it('works under a custom base path and at the root', async () => {
    const custom = setup({ security, basePath: '/hooks/openim' });
    expect((await custom.post(`/hooks/openim/${TOKEN}/${QUIT}`)).status).toBe(200);
    await expectError(await custom.post(`/hooks/openim/${QUIT}`), 401);
    const root = setup({ security, basePath: '/' });
    expect((await root.post(`/${TOKEN}/${QUIT}`)).status).toBe(200);
    await expectError(await root.post(`/${QUIT}`), 401);
    expect((await root.app.request('/healthz')).status).toBe(200);
  });

  it('without a token, a second segment stays a 404 as before', async () => {
    const { post } = setup();
    await expectError(await post(`/callback/${TOKEN}/${QUIT}`), 404);
    expect((await post(`/callback/${QUIT}`)).status).toBe(200);
  });
});

describe('ALLOWED_IPS', () => {
  const security = { allowedIps: ['10.0.0.0/8', '2001:db8::/32'] };

  it.each(['10.1.2.3', '::ffff:10.1.2.3', '2001:db8::7'])('lets %s in', async (address) => {
    const { post, jobs } = setup({ security, address });
    expect((await post(`/callback/${QUIT}`)).status).toBe(200);
    expect(jobs).toHaveLength(1);
  });

  it.each([
    ['another address', '192.168.0.1'],
    ['an IPv4-mapped address outside', '::ffff:192.168.0.1'],
    ['an unknown address', undefined],
  ])('403 for %s, on every path and method but the health checks', async (_label, address) => {
    const { app, post, jobs, logs } = setup({ security, address });
    const body = await expectError(await post(`/callback/${QUIT}`), 403);
    expect(body.errMsg).toMatch(/not allowed \(ALLOWED_IPS\)/);
    await expectError(await post('/callback/callbackAfterNothingCommand'), 403);
    await expectError(await app.request('/nope'), 403);
    await expectError(await app.request(`/callback/${QUIT}`), 403);
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/readyz')).status).toBe(200);
    expect(jobs).toEqual([]);
    expect(logs()).toMatch(/"reason":"ip"/);
  });

  it('checks the address before the token', async () => {
    const outside = setup({ security: { ...security, callbackToken: TOKEN }, address: '192.168.0.1' });
    await expectError(await outside.post(`/callback/${TOKEN}/${QUIT}`), 403);
    const inside = setup({ security: { ...security, callbackToken: TOKEN }, address: '10.0.0.1' });
    await expectError(await inside.post(`/callback/wrong/${QUIT}`), 401);
    expect((await inside.post(`/callback/${TOKEN}/${QUIT}`)).status).toBe(200);
  });

  it('by default reads the socket, and X-Forwarded-For only with TRUST_PROXY', async () => {
    const socket = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });
    const request = (app: ReturnType<typeof setup>['app'], remote: string, forwarded?: string) =>
      app.request(
        `/callback/${QUIT}`,
        {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Operationid: 'op',
            ...(forwarded ? { 'X-Forwarded-For': forwarded } : {}),
          },
          body: quitBody(),
        },
        socket(remote),
      );
    const direct = setup({ security }).app;
    expect((await request(direct, '10.0.0.9')).status).toBe(200);
    expect((await request(direct, '172.16.0.1', '10.0.0.9')).status).toBe(403);

    const proxied = setup({ security: { ...security, trustedProxies: ['172.16.0.1'] } }).app;
    expect((await request(proxied, '172.16.0.1', '10.0.0.9')).status).toBe(200);
    // The client wrote the left entry itself; only the proxy's (rightmost) counts.
    expect((await request(proxied, '172.16.0.1', '10.0.0.9, 192.168.5.5')).status).toBe(403);
    expect((await request(proxied, '10.0.0.9')).status).toBe(200);
    // A client that reaches the ingress directly cannot choose its address.
    expect((await request(proxied, '192.168.5.5', '10.0.0.9')).status).toBe(403);
    expect((await request(proxied, '::ffff:192.168.5.5', '10.0.0.9')).status).toBe(403);
  });
});

describe('bodies the pipeline cannot carry', () => {
  it('400 for "__proto__", and Object.prototype stays clean for later requests', async () => {
    const { post, jobs } = setup();
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const body = await expectError(
      await post(`/callback/${QUIT}`, quitBody().replace('{', '{"__proto__":{"polluted":1},')),
      400,
    );
    expect(body.errMsg).toMatch(/"__proto__"/);
    await expectError(
      await post(`/callback/${QUIT}`, quitBody({ ex: { constructor: { prototype: { polluted: 1 } } } })),
      400,
    );
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    expect((await post(`/callback/${QUIT}`)).status).toBe(200);
    expect(jobs).toHaveLength(1);
    const payload = jobs[0]!.payload;
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
    expect('polluted' in payload).toBe(false);
  });

  it('400, not 503, for deep nesting in a field the schema does not read', async () => {
    const { post, jobs } = setup();
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const body = await expectError(await post(`/callback/${QUIT}`, quitBody().replace('{', `{"extra":${deep},`)), 400);
    expect(body.errMsg).toMatch(/deeper than 64 levels/);
    expect(jobs).toEqual([]);
  });

  it('200 for ids of several hundred characters (OpenIM sets no limit) and a large free-text field', async () => {
    const { post, jobs } = setup();
    expect((await post(`/callback/${QUIT}`, quitBody({ groupID: 'g'.repeat(600) }))).status).toBe(200);
    expect((await post(`/callback/${QUIT}`, quitBody({ ex: 'x'.repeat(900 * 1024) }))).status).toBe(200);
    expect(jobs).toHaveLength(2);
  });

  it('200 for a NUL character, kept exactly in the payload', async () => {
    const { post, jobs } = setup();
    expect((await post(`/callback/${QUIT}`, quitBody({ userID: 'u\u0000' }))).status).toBe(200);
    expect(jobs[0]?.payload).toMatchObject({ userID: 'u\u0000' });
  });

  it('accepts the real fixtures, escapes and all', async () => {
    const { post, jobs } = setup();
    const fixture = readFixture('callbackAfterJoinGroupCommand');
    expect((await post('/callback/callbackAfterJoinGroupCommand', fixture)).status).toBe(200);
    expect(jobs[0]?.event).toMatchObject({ reqMessage: 'hi <team> & all' });
  });
});
