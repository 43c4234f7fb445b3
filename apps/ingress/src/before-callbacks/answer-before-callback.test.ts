import { createLogger } from '@openim-sync/runtime';
import { createCatalog } from '@openim-sync/schema';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { createIngressMetrics } from '../metrics.js';
import type { Producer } from '../producer.js';
import { beforeCallbacks } from './catalog.js';
import { createBeforeCallbackResponder } from './responder.js';

const CONTINUE = '{"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0}';
const TOKEN = 'b3f0c1d2e4a5968778695a4b3c2d1e0f';
const logger = createLogger({ name: 'before-callback-test', level: 'silent', pretty: false });

/** The app as main.ts wires it, BEFORE_CALLBACK_URL unset, over a producer that records every call. */
function setup({ maxBodyBytes = 64 * 1024, callbackToken }: { maxBodyBytes?: number; callbackToken?: string } = {}) {
  const calls: string[] = [];
  const producer: Producer = {
    enqueue: async (data) => {
      calls.push(`enqueue ${data.command}`);
      return { ok: true, jobId: 'j' };
    },
    keep: async (record) => {
      calls.push(`keep ${record.command}`);
      return { ok: true };
    },
    ready: async () => true,
  };
  const registry = new Registry();
  const metrics = createIngressMetrics({ registry, processMetrics: false });
  const app = createApp({
    config: {
      basePath: '/callback',
      maxBodyBytes,
      security: { callbackToken, allowedIps: [], trustedProxies: [] },
    },
    catalog: createCatalog(),
    producer,
    logger,
    observer: metrics.observer,
    beforeCallbacks: createBeforeCallbackResponder({ logger, observer: metrics.beforeCallbacks }),
  });
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', Operationid: 'op-1', ...headers },
      body,
    });
  const sample = async (series: string) => {
    const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  /** The sum of every series of a metric. */
  const counted = async (name: string) =>
    (await registry.metrics())
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return { post, calls, sample, counted };
}

const spellings = beforeCallbacks.flatMap((b) => [b.command, ...b.aliases]);

describe('before-callbacks without BEFORE_CALLBACK_URL', () => {
  it.each(spellings)('%s: 200 with a continue, nothing enqueued or kept', async (name) => {
    const { post, calls } = setup();
    const response = await post(`/callback/${name}`, `{"callbackCommand":"${name}","groupID":"g1"}\n`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(await response.text())).toMatchObject(JSON.parse(CONTINUE));
    expect(calls).toEqual([]);
  });

  it('accepts the ?command= form and a capital first letter', async () => {
    const { post } = setup();
    for (const path of [
      '/callback?command=callbackBeforeSendGroupMsgCommand',
      '/callback/CallbackBeforeSendGroupMsgCommand',
      '/callback//callbackSuperGroupOnlinePushCommand?contenttype=json',
    ]) {
      const response = await post(path, '{"callbackCommand":"x"}');
      expect(response.status, path).toBe(200);
      expect(await response.text()).toBe(CONTINUE);
    }
  });

  it('echoes what beforeSetGroupInfo needs, read from the body it was sent', async () => {
    const { post } = setup();
    const body = JSON.stringify({
      callbackCommand: 'callbackBeforeSetGroupInfoCommand',
      groupID: 'g9',
      groupName: 'New name',
      notification: 'n',
      introduction: '',
      faceURL: '',
      ex: '',
      needVerification: 0,
    });
    const response = await post('/callback/callbackBeforeSetGroupInfoCommand', body);
    expect(await response.text()).toBe(
      '{"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0,"groupID":"g9","groupName":"New name","introduction":"","faceURL":""}',
    );
  });

  it('answers whatever the body, headers and content type (no operationID, text/plain, not JSON)', async () => {
    const { post, calls } = setup();
    const headers = { 'Content-Type': 'text/plain' };
    const response = await post('/callback/callbackBeforeSetGroupInfoExCommand', 'not json', headers);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(CONTINUE);
    const bare = await setup().post('/callback/callbackBeforeAddFriendCommand', '[]', { Operationid: '' });
    expect(await bare.text()).toBe(CONTINUE);
    expect(calls).toEqual([]);
  });

  it('refuses a body over MAX_BODY_BYTES as for any callback (413), and counts it', async () => {
    const { post, sample } = setup({ maxBodyBytes: 64 });
    const response = await post('/callback/callbackBeforeSendSingleMsgCommand', `{"content":"${'x'.repeat(100)}"}`);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ errCode: 413, nextCode: 0 });
    expect(await sample('openim_sync_ingress_rejects_total{reason="body"}')).toBe(1);
  });

  it('sits behind CALLBACK_TOKEN like every callback', async () => {
    const { post } = setup({ callbackToken: TOKEN });
    expect((await post('/callback/callbackBeforeAddBlackCommand', '{}')).status).toBe(401);
    const response = await post(`/callback/${TOKEN}/callbackBeforeAddBlackCommand`, '{}');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(CONTINUE);
  });

  it('counts each answer under the canonical command, aliases folded in', async () => {
    const { post, sample, counted } = setup();
    await post('/callback/callbackBeforeMsgModifyCommand', '{}');
    await post('/callback/callbackMsgModifyCommand', '{}');
    await post('/callback/CallbackMsgModifyCommand', '{}');
    const series = 'openim_sync_before_callbacks_total{command="callbackBeforeMsgModifyCommand",verdict="continue"}';
    expect(await sample(series)).toBe(3);
    expect(await counted('openim_sync_ingress_requests_total')).toBe(0);
  });
});
