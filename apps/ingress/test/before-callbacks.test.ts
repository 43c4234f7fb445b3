import type { ServerResponse } from 'node:http';
import { serve } from '@hono/node-server';
import { inboxKeys } from '@openim-sync/queue';
import type { Logger } from '@openim-sync/runtime';
import { createCatalog } from '@openim-sync/schema';
import { freePort, startReceiver, testServices } from '@openim-sync/testing';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { type BeforeCallbackSettings, createBeforeCallbackResponder } from '../src/before-callbacks/responder.js';
import { createIngressMetrics } from '../src/metrics.js';
import { createProducer } from '../src/producer.js';
import { ACK, useStacks } from './stack.js';

const { redisUrl } = testServices();
const readyStack = useStacks(redisUrl);
const AUTHORIZATION = 'Bearer app-secret-7f3a9c';

/** What closes after each test, last opened first. */
const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A real App on 127.0.0.1: records each request, then lets `answer` respond (or never, to hang). */
async function startApp(answer: (res: ServerResponse) => void) {
  const app = await startReceiver({ path: '/openim/before', answer: () => answer });
  closers.push(() => app.close());
  return { url: app.url, received: app.deliveries };
}

const json =
  (status: number, body: string, type = 'application/json') =>
  (res: ServerResponse) =>
    res.writeHead(status, { 'content-type': type }).end(body);

/** Errors spelt out as pino's serializer does (message, stack, own fields, cause), so a leak would show. */
function expandErrors(_key: string, value: unknown) {
  return value instanceof Error
    ? { ...value, type: value.name, message: value.message, stack: value.stack, cause: value.cause }
    : value;
}

/** A logger that keeps every line it is handed, before any redaction. */
function recordingLogger(lines: string[]): Logger {
  const record =
    (level: string) =>
    (fields: unknown, message = '') =>
      lines.push(`${level} ${JSON.stringify(fields, expandErrors)} ${message}`);
  const levels = { warn: record('warn'), error: record('error'), info: record('info'), debug: record('debug') };
  return { ...levels, isLevelEnabled: () => true } as never;
}

/** The ingress as main.ts wires it (real Redis, metrics), served on a real port. */
async function startIngress(settings: Partial<BeforeCallbackSettings> & { url: string }) {
  const stack = await readyStack();
  const registry = new Registry();
  const metrics = createIngressMetrics({ registry, processMetrics: false });
  const logs: string[] = [];
  const logger = recordingLogger(logs);
  // Whatever the test did, the Authorization value never reaches a log line.
  closers.push(async () => expect(logs.join('\n')).not.toContain(AUTHORIZATION));
  const { queue, connection, settings: queueSettings } = stack;
  const producer = createProducer({ connection, settings: queueSettings, timeoutMs: 1000 });
  const beforeCallbacks = createBeforeCallbackResponder({
    settings: { timeoutMs: 2000, onError: 'continue', authorization: AUTHORIZATION, ...settings },
    logger,
    observer: metrics.beforeCallbacks,
  });
  closers.push(() => beforeCallbacks.close());
  const app = createApp({
    config: { basePath: '/callback', maxBodyBytes: 1024 * 1024 },
    catalog: createCatalog(),
    producer,
    logger,
    observer: metrics.observer,
    beforeCallbacks,
  });
  const port = await new Promise<number>((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
    closers.push(() => new Promise((done) => server.close(done)));
  });
  const post = async (command: string, body: string, operationID: string | null = 'op-1') => {
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    if (operationID !== null) headers.operationID = operationID;
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/callback/${command}`, { method: 'POST', headers, body });
    return { status: response.status, text: await response.text(), ms: performance.now() - started };
  };
  const sample = async (series: string) => {
    const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  /** Entries in the stack's inbox stream and jobs in its queue: a before-callback adds neither. */
  const stored = async () => ({
    inbox: await connection.xlen(inboxKeys(queueSettings).stream),
    jobs: Object.values(await queue.getJobCounts()).reduce((sum, n) => sum + n, 0),
  });
  return { post, sample, stored, logs };
}

const SET_GROUP_INFO_EX = `${JSON.stringify({
  callbackCommand: 'callbackBeforeSetGroupInfoExCommand',
  operationID: '',
  groupID: 'g1',
  groupName: 'Climbers',
  notification: null,
  introduction: null,
  faceURL: null,
  ex: '{"tier":2}',
  needVerification: null,
  lookMemberInfo: 1,
  applyMemberFriend: null,
})}\n`;
const SET_GROUP_INFO_EX_CONTINUE =
  '{"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0,"groupID":"g1","groupName":"Climbers",' +
  '"faceURL":null,"introduction":null,"ex":"{\\"tier\\":2}","needVerification":null,"lookMemberInfo":1,"applyMemberFriend":null}';
const SINGLE_MSG =
  '{"sendID":"u1","callbackCommand":"callbackBeforeSendSingleMsgCommand","contentType":101,"content":"{\\"content\\":\\"hi\\"}","recvID":"u2"}\n';

describe('before-callbacks forwarded to a real App', () => {
  it('relays the App’s rejection as-is, forwarding the body, operationID, content type and Authorization', async () => {
    const verdict = '{"actionCode":0,"nextCode":1,"errCode":5001,"errMsg":"blocked word","errDlt":"rule 7"}';
    const app = await startApp(json(200, verdict));
    const ingress = await startIngress({ url: app.url });
    const answer = await ingress.post('callbackBeforeSendSingleMsgCommand', SINGLE_MSG, 'op-42');
    expect(answer).toMatchObject({ status: 200, text: verdict });
    expect(app.received).toHaveLength(1);
    const [request] = app.received;
    expect(request?.url).toBe('/openim/before/callbackBeforeSendSingleMsgCommand');
    expect(request?.raw.toString()).toBe(SINGLE_MSG);
    expect(request?.headers).toMatchObject({
      operationid: 'op-42',
      'content-type': 'application/json; charset=utf-8',
      authorization: AUTHORIZATION,
    });
    const command = 'command="callbackBeforeSendSingleMsgCommand"';
    expect(await ingress.sample(`openim_sync_before_callbacks_total{${command},verdict="app-reject"}`)).toBe(1);
    expect(await ingress.sample(`openim_sync_before_callback_app_duration_seconds_count{${command},result="ok"}`)).toBe(
      1,
    );
  });

  it('relays a modifying answer byte for byte, and forwards no operationID when OpenIM sent none', async () => {
    const modify = '{ "actionCode": 0, "content": "{\\"content\\":\\"***\\"}",\n "ex": null }';
    const app = await startApp(json(201, modify, 'text/plain'));
    const ingress = await startIngress({ url: app.url });
    const body = SINGLE_MSG.replace('callbackBeforeSendSingleMsgCommand', 'callbackMsgModifyCommand');
    expect(await ingress.post('callbackMsgModifyCommand', body, null)).toMatchObject({ status: 200, text: modify });
    expect(app.received[0]?.url).toBe('/openim/before/callbackMsgModifyCommand');
    expect(app.received[0]?.headers.operationid).toBeUndefined();
    const series =
      'openim_sync_before_callbacks_total{command="callbackBeforeMsgModifyCommand",verdict="app-continue"}';
    expect(await ingress.sample(series)).toBe(1);
  });

  it('takes OpenIM’s admin secret out of a v3.8.0 user-register body before the App sees it', async () => {
    const app = await startApp(json(200, '{}'));
    const ingress = await startIngress({ url: app.url });
    const body =
      '{"callbackCommand":"callbackBeforeUserRegisterCommand","secret":"openIM123","users":[{"userID":"u1","nickname":"A"}]}\n';
    // OpenIM v3.7+ send the header even when the operationID is empty.
    const answer = await ingress.post('callbackBeforeUserRegisterCommand', body, '');
    expect(answer).toMatchObject({ status: 200, text: '{}' });
    expect(app.received[0]?.headers.operationid).toBe('');
    const forwarded = app.received[0]?.raw.toString() ?? '';
    expect(forwarded).not.toContain('openIM123');
    expect(JSON.parse(forwarded)).toEqual({
      callbackCommand: 'callbackBeforeUserRegisterCommand',
      users: [{ userID: 'u1', nickname: 'A' }],
    });
  });

  it.each([
    ['continue', SET_GROUP_INFO_EX_CONTINUE],
    ['reject', '{"actionCode":0,"nextCode":1,"errCode":90004,'],
  ] as const)('answers per policy %s within about the timeout when the App is slower', async (onError, expected) => {
    const app = await startApp(() => {}); // never answers
    const ingress = await startIngress({ url: app.url, timeoutMs: 300, onError });
    const answer = await ingress.post('callbackBeforeSetGroupInfoExCommand', SET_GROUP_INFO_EX);
    expect(answer.status).toBe(200);
    expect(answer.text.startsWith(expected)).toBe(true);
    expect(answer.ms).toBeGreaterThanOrEqual(280);
    expect(answer.ms).toBeLessThan(1000);
    const command = 'command="callbackBeforeSetGroupInfoExCommand"';
    expect(await ingress.sample(`openim_sync_before_callback_app_failures_total{${command},reason="timeout"}`)).toBe(1);
    expect(await ingress.sample(`openim_sync_before_callbacks_total{${command},verdict="error-${onError}"}`)).toBe(1);
    expect(ingress.logs.find((l) => l.startsWith('warn'))).toMatch(/"command":"callbackBeforeSetGroupInfoExCommand"/);
  });

  const failures = [
    ['an HTML page', json(200, '<html><body>Welcome</body></html>', 'text/html'), 'not-json', 90007],
    ['an empty body', json(200, ''), 'empty', 90007],
    ['a JSON array', json(200, '[{"actionCode":0}]'), 'not-object', 90007],
    ['HTTP 500', json(500, '{"actionCode":0,"nextCode":0}'), 'status', 90007],
    ['a verdict Go cannot decode', json(200, '{"nextCode":"1"}'), 'bad-verdict', 90007],
  ] as const;

  it.each(failures)('answers continue when the App answers %s', async (_what, answer, reason) => {
    const app = await startApp(answer);
    const ingress = await startIngress({ url: app.url, onError: 'continue' });
    const result = await ingress.post('callbackBeforeSetGroupInfoExCommand', SET_GROUP_INFO_EX, 'op-bad');
    expect(result).toMatchObject({ status: 200, text: SET_GROUP_INFO_EX_CONTINUE });
    const command = 'command="callbackBeforeSetGroupInfoExCommand"';
    expect(await ingress.sample(`openim_sync_before_callback_app_failures_total{${command},reason="${reason}"}`)).toBe(
      1,
    );
    expect(ingress.logs.find((l) => l.startsWith('warn'))).toMatch(/"operationID":"op-bad"/);
  });

  it.each(failures)('rejects when the App answers %s', async (_what, answer, _reason, errCode) => {
    const app = await startApp(answer);
    const ingress = await startIngress({ url: app.url, onError: 'reject' });
    const result = await ingress.post('callbackBeforeAddFriendCommand', '{"fromUserID":"a","toUserID":"b"}');
    expect(result.status).toBe(200);
    expect(JSON.parse(result.text)).toMatchObject({ actionCode: 0, nextCode: 1, errCode, errDlt: '' });
    const series =
      'openim_sync_before_callbacks_total{command="callbackBeforeAddFriendCommand",verdict="error-reject"}';
    expect(await ingress.sample(series)).toBe(1);
  });

  it.each([
    ['continue', '{"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0}'],
    ['reject', '{"actionCode":0,"nextCode":1,"errCode":90004,'],
  ] as const)('answers per policy %s when the App’s port is closed', async (onError, expected) => {
    const ingress = await startIngress({ url: `http://127.0.0.1:${await freePort()}/hooks`, onError });
    const result = await ingress.post('callbackBeforeInviteJoinGroupCommand', '{"groupID":"g1"}');
    expect(result.status).toBe(200);
    expect(result.text.startsWith(expected)).toBe(true);
    const series =
      'openim_sync_before_callback_app_failures_total{command="callbackBeforeInviteJoinGroupCommand",reason="connection"}';
    expect(await ingress.sample(series)).toBe(1);
    expect(ingress.logs.find((l) => l.startsWith('warn'))).toMatch(/ECONNREFUSED/);
  });

  it('adds nothing to the inbox or the queue, while an after-callback on the same ingress does', async () => {
    const app = await startApp(json(200, '{"actionCode":0,"nextCode":0}'));
    const ingress = await startIngress({ url: app.url });
    await ingress.post('callbackBeforeSendSingleMsgCommand', SINGLE_MSG);
    await ingress.post('callbackBeforeSetGroupInfoExCommand', SET_GROUP_INFO_EX);
    expect(app.received).toHaveLength(2);
    expect(await ingress.stored()).toEqual({ inbox: 0, jobs: 0 });
    const quit = '{"callbackCommand":"callbackAfterQuitGroupCommand","groupID":"g1","userID":"u1"}\n';
    expect(await ingress.post('callbackAfterQuitGroupCommand', quit)).toMatchObject({ status: 200, text: ACK });
    expect(await ingress.stored()).toEqual({ inbox: 1, jobs: 0 });
    expect(app.received).toHaveLength(2);
  });
});
