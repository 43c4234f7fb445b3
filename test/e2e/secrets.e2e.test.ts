// Secrets never reach the logs: the built ingress runs with a CALLBACK_TOKEN
// and a Redis password, gets good and bad requests (wrong, near-miss and
// misplaced tokens), loses Redis, shuts down, and is started with bad
// configurations next to the secrets. Every line it wrote is searched for
// the token and the password.
import { randomBytes } from 'node:crypto';
import { APP_ENTRIES, type ServiceProcess, type Stack, startService, startStack } from '@openim-sync/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, type RawResponse } from './raw-http.js';

const PASSWORD = 'hunter2-secret';
const TOKEN = randomBytes(24).toString('base64url');
/** The token with its last character changed: a near miss must not be logged either. */
const NEAR_MISS = `${TOKEN.slice(0, -1)}${TOKEN.endsWith('A') ? 'B' : 'A'}`;
const SHORT_TOKEN = 'hunter2-short';
const SECRETS = [TOKEN, NEAR_MISS, PASSWORD, SHORT_TOKEN, TOKEN.slice(0, 12), TOKEN.slice(-12)];
const QUIT = 'callbackAfterQuitGroupCommand';
const body = JSON.stringify({ callbackCommand: QUIT, groupID: 'g1', userID: 'u1' });

describe('secrets in logs', () => {
  const outputs: string[] = [];
  let stack: Stack;
  let ingress: ServiceProcess;
  let port: number;

  beforeAll(async () => {
    stack = await startStack({ label: 'secrets', ownRedis: { appendonly: false, password: PASSWORD } });
    const started = await stack.startIngress({
      CALLBACK_TOKEN: TOKEN,
      ALLOWED_IPS: '127.0.0.1,::1',
      LOG_LEVEL: 'trace',
    });
    ingress = started.process;
    port = started.port;
  });

  // The Redis is the stack's own, without persistence: nothing of it is left behind.
  afterAll(() => stack?.close());

  const post = (path: string, payload = body, headers: Record<string, string> = {}) =>
    httpRequest(port, {
      path,
      headers: { 'Content-Type': 'application/json', Operationid: `op-${Math.random()}`, ...headers },
      body: payload,
    });

  function expectNoSecret(response: RawResponse) {
    for (const secret of SECRETS) expect(response.body).not.toContain(secret);
  }

  it('acknowledges with the token, in both URL forms, through a password-protected Redis', async () => {
    for (const path of [`/callback/${TOKEN}/${QUIT}`, `/callback/${TOKEN}?command=${QUIT}`]) {
      const response = await post(path);
      expect(response.status, path).toBe(200);
    }
    await ingress.waitForLine(/redis connected/);
  });

  it.each([
    ['no token', `/callback/${QUIT}`, 401],
    ['a wrong token', `/callback/not-the-token-0123456789/${QUIT}`, 401],
    ['a near miss', `/callback/${NEAR_MISS}/${QUIT}`, 401],
    ['the token after the command', `/callback/${QUIT}/${TOKEN}`, 401],
    ['the token in the query only', `/callback?command=${QUIT}&token=${TOKEN}`, 401],
    ['the right token and an unknown command', `/callback/${TOKEN}/callbackAfterNothingCommand`, 404],
    ['the right token and extra segments', `/callback/${TOKEN}/${QUIT}/${TOKEN}`, 404],
    ['the right token and no command', `/callback/${TOKEN}`, 404],
    ['the right token at the wrong base', `/callbacks/${TOKEN}/${QUIT}`, 404],
  ])('refuses %s without echoing a secret', async (_label, path, status) => {
    const response = await post(path);
    expect(response.status).toBe(status);
    expectNoSecret(response);
  });

  it('refuses bad bodies and methods behind the right token without echoing it', async () => {
    expectNoSecret(await post(`/callback/${TOKEN}/${QUIT}`, '{"callbackCommand":'));
    expectNoSecret(await post(`/callback/${TOKEN}/${QUIT}`, body, { 'Content-Type': 'text/plain' }));
    expectNoSecret(await httpRequest(port, { method: 'GET', path: `/callback/${TOKEN}/${QUIT}` }));
  });

  it('answers 503 when Redis is gone, and says so in the log without the password', async () => {
    await stack.redisServer?.kill();
    const response = await post(`/callback/${TOKEN}/${QUIT}`);
    expect(response.status).toBe(503);
    expectNoSecret(response);
    await ingress.waitForLine(/redis unavailable/);
    expect(await ingress.stop('SIGTERM')).toBe(0);
    outputs.push(...ingress.output);
  });

  it.each([
    [
      'a bad port next to both secrets',
      { CALLBACK_TOKEN: TOKEN, REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:1`, PORT: 'http' },
      ['PORT'],
    ],
    [
      'a token that is too short',
      { CALLBACK_TOKEN: SHORT_TOKEN, REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:1` },
      ['CALLBACK_TOKEN'],
    ],
    ['a token with a slash', { CALLBACK_TOKEN: `${TOKEN}/x`, ALLOWED_IPS: 'nope' }, ['CALLBACK_TOKEN', 'ALLOWED_IPS']],
    [
      'a Redis URL of the wrong scheme',
      { REDIS_URL: `http://:${PASSWORD}@127.0.0.1:1`, CALLBACK_TOKEN: TOKEN },
      ['REDIS_URL'],
    ],
  ])('exits 1 on %s, naming the variables but no secret', async (_label, env, named) => {
    const service = startService(APP_ENTRIES.ingress, env);
    expect(await service.exited).toBe(1);
    const text = service.output.join('\n');
    expect(text).toContain('invalid configuration');
    for (const variable of named) expect(text).toContain(variable);
    outputs.push(...service.output);
  });

  it('never wrote the token or the password, though it logged every request', () => {
    const text = outputs.join('\n');
    // The log is not empty: the refusals and the connection are all there, with secrets masked.
    expect(text).toMatch(/"status":401/);
    expect(text).toContain('/callback/<unauthorized>');
    expect(text).toContain('/callback/<token>/callbackAfterNothingCommand');
    expect(text).toContain(`redis://:***@127.0.0.1:${stack.redisServer?.port}`);
    expect(text).toMatch(/"status":503/);
    for (const secret of SECRETS) expect(text, secret).not.toContain(secret);
  });
});
