import { createCallbackQueue, createProducerConnection, type QueueSettings } from '@openim-sync/queue';
import { deleteQueueKeys } from '@openim-sync/testing';
import type { Queue } from 'bullmq';
import type { Hono } from 'hono';
import type { Redis } from 'ioredis';
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAdminApp } from '../src/admin/admin-app.js';
import { testQueueSettings } from './stack.js';

const credentials = { username: 'ops', password: 'correct horse battery' };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const AUTH = { Authorization: basic(credentials.username, credentials.password) };

describe('admin app (dashboard and /metrics behind basic auth)', () => {
  let settings: QueueSettings;
  let connection: Redis;
  let queue: Queue;
  let app: Hono;

  beforeAll(async () => {
    settings = testQueueSettings(inject('redisUrl'), 'admin');
    connection = createProducerConnection(settings.redisUrl, 2000);
    queue = createCallbackQueue(settings, connection) as unknown as Queue;
    await queue.waitUntilReady();
    await queue.add('callbackAfterQuitGroupCommand', { command: 'callbackAfterQuitGroupCommand' }, { jobId: 'h-one' });
    const registry = new Registry();
    new Counter({ name: 'openim_sync_test_total', help: 'a test counter', registers: [registry] }).inc(3);
    app = createAdminApp({ queue, registry, credentials });
  });

  afterAll(async () => {
    await queue?.close();
    connection?.disconnect();
    if (settings) await deleteQueueKeys(settings.redisUrl, settings.prefix, settings.name);
  });

  it.each(['/', '/metrics', '/api/queues', '/queue/x', '/static/favicon-32x32.png', '/nothing'])(
    '401 on %s without credentials, asking for basic auth',
    async (path) => {
      const response = await app.request(path);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="openim-sync admin"/);
    },
  );

  it('401 for a wrong password, a wrong user, or a malformed header', async () => {
    for (const Authorization of [
      basic(credentials.username, 'correct horse battery!'),
      basic('root', credentials.password),
      basic(credentials.username, ''),
      'Basic !!!',
      `Bearer ${credentials.password}`,
    ]) {
      expect((await app.request('/metrics', { headers: { Authorization } })).status, Authorization).toBe(401);
    }
  });

  it('serves the dashboard page and its assets with the right credentials', async () => {
    const page = await app.request('/', { headers: AUTH });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<title>openim-sync</title>');
    const favicon = await app.request('/static/favicon-32x32.png', { headers: AUTH });
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get('content-type')).toBe('image/png');
  });

  it('answers the dashboard API from the real queue', async () => {
    const response = await app.request('/api/queues?activeQueue=&page=1&jobsPerPage=10', { headers: AUTH });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { queues: Array<{ name: string; counts: Record<string, number> }> };
    expect(body.queues.map((q) => q.name)).toEqual([settings.name]);
    expect(body.queues[0]?.counts.waiting).toBe(1);
  });

  it('serves the registry as Prometheus text', async () => {
    const response = await app.request('/metrics', { headers: AUTH });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toMatch(/^openim_sync_test_total 3$/m);
  });
});
