import { readFileSync } from 'node:fs';
import { createLogger } from '@openim-sync/runtime';
import { createCatalog } from '@openim-sync/schema';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { createIngressMetrics } from './metrics.js';
import type { Producer } from './producer.js';

const logger = createLogger({ name: 'metrics-test', level: 'silent', pretty: false });
const quit = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({ callbackCommand: 'callbackAfterQuitGroupCommand', groupID: 'g1', userID: 'u1', ...fields });

function setup() {
  const registry = new Registry();
  const metrics = createIngressMetrics({ registry, processMetrics: false });
  const state = { failing: false };
  const producer: Producer = {
    enqueue: async () =>
      state.failing ? { ok: false, message: 'Redis is unavailable (fake)' } : { ok: true, jobId: 'j' },
    keep: async () => ({ ok: true }),
    ready: async () => true,
  };
  const app = createApp({
    config: { basePath: '/callback', maxBodyBytes: 64 * 1024 },
    catalog: createCatalog(),
    producer: metrics.instrumentProducer(producer),
    observer: metrics.observer,
    logger,
  });
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Operationid: 'op-1', ...headers },
      body,
    });
  /** One sample's value from the Prometheus text, or undefined when the series is absent. */
  const sample = async (series: string) => {
    const text = await registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  return { registry, metrics, state, post, sample };
}

describe('ingress metrics', () => {
  it('counts acknowledged callbacks by canonical command, aliases folded in', async () => {
    const { post, sample } = setup();
    expect((await post('/callback/callbackAfterQuitGroupCommand', quit())).status).toBe(200);
    const alias = quit({ callbackCommand: 'callbackQuitGroupCommand' });
    expect((await post('/callback/callbackQuitGroupCommand', alias)).status).toBe(200);
    expect(
      await sample('openim_sync_ingress_requests_total{command="callbackAfterQuitGroupCommand",outcome="ack"}'),
    ).toBe(2);
    expect(await sample('openim_sync_ingress_ack_duration_seconds_count')).toBe(2);
    expect(await sample('openim_sync_ingress_ack_duration_seconds_sum')).toBeGreaterThan(0);
    expect(await sample('openim_sync_ingress_enqueue_duration_seconds_count{result="ok"}')).toBe(2);
  });

  it('counts refusals by command and reason, unknown commands under "unknown"', async () => {
    const { post, sample } = setup();
    expect((await post('/callback/callbackAfterQuitGroupCommand', quit(), { Operationid: '' })).status).toBe(200);
    expect((await post('/callback/callbackAfterQuitGroupCommand', quit({ groupID: 7 }))).status).toBe(400);
    expect((await post('/callback/callbackAfterQuitGroupCommand', '{')).status).toBe(400);
    for (const name of ['callbackAfterNothing1', 'callbackAfterNothing2']) {
      expect((await post(`/callback/${name}`, quit())).status).toBe(404);
    }
    const requests = 'openim_sync_ingress_requests_total';
    expect(await sample(`${requests}{command="callbackAfterQuitGroupCommand",outcome="rejected"}`)).toBe(2);
    expect(await sample(`${requests}{command="unknown",outcome="rejected"}`)).toBe(2);
    expect(await sample(`${requests}{command="callbackAfterNothing1",outcome="rejected"}`)).toBeUndefined();
    expect(await sample('openim_sync_ingress_rejects_total{reason="invalid-body"}')).toBe(1);
    expect(await sample('openim_sync_ingress_rejects_total{reason="json"}')).toBe(1);
    expect(await sample('openim_sync_ingress_rejects_total{reason="unknown-command"}')).toBe(2);
    // Refusals are not acks: the ack histogram holds the one acknowledged callback only.
    expect(await sample('openim_sync_ingress_ack_duration_seconds_count')).toBe(1);
  });

  it('counts 503s as unavailable, with the failed enqueue timed', async () => {
    const { post, sample, state } = setup();
    state.failing = true;
    expect((await post('/callback/callbackAfterQuitGroupCommand', quit())).status).toBe(503);
    expect(
      await sample('openim_sync_ingress_requests_total{command="callbackAfterQuitGroupCommand",outcome="unavailable"}'),
    ).toBe(1);
    expect(await sample('openim_sync_ingress_rejects_total{reason="unavailable"}')).toBe(1);
    expect(await sample('openim_sync_ingress_enqueue_duration_seconds_count{result="error"}')).toBe(1);
    expect(await sample('openim_sync_ingress_ack_duration_seconds_count')).toBe(0);
  });

  it('adds what its duplicate reader reports at each scrape', async () => {
    const { metrics, sample } = setup();
    expect(await sample('openim_sync_ingress_duplicates_dropped_total')).toBe(0);
    const reports = [2, 0, 3];
    metrics.countDuplicates(async () => reports.shift() ?? 0);
    expect(await sample('openim_sync_ingress_duplicates_dropped_total')).toBe(2);
    expect(await sample('openim_sync_ingress_duplicates_dropped_total')).toBe(2);
    expect(await sample('openim_sync_ingress_duplicates_dropped_total')).toBe(5);
  });

  it('reports the inbox lengths its reader gives at each scrape, the last ones and Redis down when it fails', async () => {
    const { metrics, registry } = setup();
    let calls = 0;
    const inboxLines = async () => {
      const text = await registry.metrics();
      expect(text).not.toContain('NaN');
      return text.split('\n').filter((l) => /^openim_sync_(inbox_entries\{|redis_up )/.test(l));
    };
    expect(await inboxLines()).toEqual(['openim_sync_redis_up 0']);
    const reads: Array<{ inbox: number; rejected: number } | Error> = [
      { inbox: 7, rejected: 1 },
      new Error('Redis is unavailable (fake)'),
      { inbox: 0, rejected: 2 },
    ];
    metrics.countInbox(async () => {
      calls++;
      const next = reads.shift();
      if (!next || next instanceof Error) throw next ?? new Error('no more reads');
      return next;
    });
    expect(await inboxLines()).toEqual([
      'openim_sync_inbox_entries{stream="inbox"} 7',
      'openim_sync_inbox_entries{stream="rejected"} 1',
      'openim_sync_redis_up 1',
    ]);
    expect(await inboxLines()).toEqual([
      'openim_sync_inbox_entries{stream="inbox"} 7',
      'openim_sync_inbox_entries{stream="rejected"} 1',
      'openim_sync_redis_up 0',
    ]);
    expect(await inboxLines()).toEqual([
      'openim_sync_inbox_entries{stream="inbox"} 0',
      'openim_sync_inbox_entries{stream="rejected"} 2',
      'openim_sync_redis_up 1',
    ]);
    // One read per scrape serves both gauges.
    expect(calls).toBe(3);
  });

  it('says which version of the ingress runs on which Node.js', async () => {
    const { registry } = setup();
    const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
    expect(await registry.metrics()).toContain(
      `openim_sync_build_info{app="ingress",version="${version}",node_version="${process.versions.node}"} 1`,
    );
  });

  it('keeps to its own registry and adds process metrics only when asked', async () => {
    const withProcess = new Registry();
    createIngressMetrics({ registry: withProcess });
    expect(await withProcess.metrics()).toMatch(/^process_cpu_user_seconds_total /m);
    const { registry } = setup();
    expect(await registry.metrics()).not.toMatch(/process_cpu/);
  });
});
