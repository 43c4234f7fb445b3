import { appendToInbox, inboxKeys, type QueueSettings } from '@openim-sync/queue';
import { createLogger } from '@openim-sync/runtime';
import { deleteQueueKeys, freePort } from '@openim-sync/testing';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { type AdminServer, startAdminServer } from '../src/admin/admin-server.js';
import { createIngressMetrics } from '../src/metrics.js';
import { testQueueSettings } from './stack.js';

const credentials = { username: 'ops', password: 'correct horse battery' };
const AUTH = {
  Authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
};
const logger = createLogger({ name: 'inbox-gauge-test', level: 'silent', pretty: false });

describe('inbox gauge on the admin listener (real Redis)', () => {
  let settings: QueueSettings;
  let redis: Redis;
  let admin: AdminServer | undefined;

  beforeAll(async () => {
    settings = testQueueSettings(inject('redisUrl'), 'inbox_gauge');
    redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: 1 });
    const metrics = createIngressMetrics({ registry: new Registry(), processMetrics: false });
    const config = { port: 0, host: '127.0.0.1', dashboard: undefined, metrics: credentials, readOnly: false };
    admin = await startAdminServer({ config, queueSettings: settings, metrics, logger });
  });

  afterAll(async () => {
    await admin?.close();
    redis?.disconnect();
    if (settings) await deleteQueueKeys(settings.redisUrl, settings.prefix, settings.name);
  });

  /** The gauge's value per stream, from a real scrape of /metrics. */
  async function scrape(): Promise<Record<string, number>> {
    const response = await fetch(`http://127.0.0.1:${admin?.port}/metrics`, { headers: AUTH });
    expect(response.status).toBe(200);
    const found: Record<string, number> = {};
    const text = await response.text();
    expect(text).toMatch(/^openim_sync_redis_up 1$/m);
    for (const [, stream, value] of text.matchAll(/^openim_sync_inbox_entries\{stream="(\w+)"\} (\S+)$/gm)) {
      found[stream as string] = Number(value);
    }
    return found;
  }

  it('reads the inbox and the rejected stream with XLEN when Prometheus scrapes', async () => {
    // Until the admin's connection is up, a scrape says Redis is down.
    await vi.waitFor(async () => expect(await scrape()).toEqual({ inbox: 0, rejected: 0 }), { timeout: 5000 });
    const keys = inboxKeys(settings);
    const record = {
      command: 'callbackAfterQuitGroupCommand',
      operationID: 'op-1',
      receivedAt: 1,
      body: Buffer.from('{}'),
    };
    for (let i = 0; i < 3; i++) await appendToInbox(redis, keys.stream, record);
    await redis.xadd(keys.rejected, '*', 'entry', '1-0', 'reason', 'no body');
    expect(await scrape()).toEqual({ inbox: 3, rejected: 1 });
  });
});

describe('metrics of the admin listener with Redis unreachable', () => {
  it('answers at once: Redis down, no inbox series, no NaN', async () => {
    // A port nothing listens on: the admin connection fails every command at once.
    const settings = testQueueSettings(`redis://127.0.0.1:${await freePort()}`, 'inbox_gauge_down');
    const metrics = createIngressMetrics({ registry: new Registry(), processMetrics: false });
    const config = { port: 0, host: '127.0.0.1', dashboard: undefined, metrics: credentials, readOnly: false };
    const admin = await startAdminServer({ config, queueSettings: settings, metrics, logger });
    try {
      const started = performance.now();
      const response = await fetch(`http://127.0.0.1:${admin.port}/metrics`, { headers: AUTH });
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(text).toMatch(/^openim_sync_redis_up 0$/m);
      expect(text).not.toMatch(/^openim_sync_inbox_entries\{/m);
      expect(text).not.toContain('NaN');
      expect(text).toMatch(/^openim_sync_build_info\{app="ingress",/m);
    } finally {
      await admin.close();
    }
  });
});
