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
const scraper = { username: 'prometheus', password: 'scrape horse battery' };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const AUTH = { Authorization: basic(credentials.username, credentials.password) };
const SCRAPE = { Authorization: basic(scraper.username, scraper.password) };

describe('admin app (dashboard and /metrics, each behind its own basic auth)', () => {
  let settings: QueueSettings;
  let connection: Redis;
  let queue: Queue;
  let app: Hono;
  let registry: Registry;

  beforeAll(async () => {
    settings = testQueueSettings(inject('redisUrl'), 'admin');
    connection = createProducerConnection(settings.redisUrl, 2000);
    queue = createCallbackQueue(settings, connection) as unknown as Queue;
    await queue.waitUntilReady();
    await queue.add('callbackAfterQuitGroupCommand', { command: 'callbackAfterQuitGroupCommand' }, { jobId: 'h-one' });
    registry = new Registry();
    new Counter({ name: 'openim_sync_test_total', help: 'a test counter', registers: [registry] }).inc(3);
    app = createAdminApp({ dashboard: { queue, credentials }, metrics: { registry, credentials: scraper } });
  });

  afterAll(async () => {
    await queue?.close();
    connection?.disconnect();
    if (settings) await deleteQueueKeys(settings.redisUrl, settings.prefix, settings.name);
  });

  it.each([
    ['/', 'admin'],
    ['/metrics', 'metrics'],
    ['/api/queues', 'admin'],
    ['/queue/x', 'admin'],
    ['/static/favicon-32x32.png', 'admin'],
    ['/nothing', 'admin'],
  ])('401 on %s without credentials, asking for basic auth (realm %s)', async (path, realm) => {
    const response = await app.request(path);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(new RegExp(`^Basic realm="openim-sync ${realm}"`));
  });

  it('401 for a wrong password, a wrong user, or a malformed header', async () => {
    for (const [path, right] of [
      ['/metrics', scraper],
      ['/', credentials],
    ] as const) {
      for (const Authorization of [
        basic(right.username, `${right.password}!`),
        basic('root', right.password),
        basic(right.username, ''),
        'Basic !!!',
        `Bearer ${right.password}`,
      ]) {
        expect((await app.request(path, { headers: { Authorization } })).status, `${path} ${Authorization}`).toBe(401);
      }
    }
  });

  it('opens neither surface with the other’s credential', async () => {
    expect((await app.request('/metrics', { headers: AUTH })).status).toBe(401);
    for (const path of ['/', '/api/queues', '/static/favicon-32x32.png']) {
      expect((await app.request(path, { headers: SCRAPE })).status, path).toBe(401);
    }
    const retry = await app.request('/api/queues/x/retry/failed', { method: 'PUT', headers: SCRAPE });
    expect(retry.status).toBe(401);
  });

  it('serves only the surface whose credential is configured', async () => {
    const metricsOnly = createAdminApp({ metrics: { registry, credentials: scraper } });
    expect((await metricsOnly.request('/metrics', { headers: SCRAPE })).status).toBe(200);
    expect((await metricsOnly.request('/', { headers: AUTH })).status).toBe(404);
    expect((await metricsOnly.request('/api/queues', { headers: SCRAPE })).status).toBe(404);
    const dashboardOnly = createAdminApp({ dashboard: { queue, credentials } });
    expect((await dashboardOnly.request('/', { headers: AUTH })).status).toBe(200);
    expect((await dashboardOnly.request('/metrics')).status).toBe(401);
    expect((await dashboardOnly.request('/metrics', { headers: AUTH })).status).toBe(404);
    expect((await dashboardOnly.request('/metrics', { headers: SCRAPE })).status).toBe(401);
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
    const response = await app.request('/metrics', { headers: SCRAPE });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toMatch(/^openim_sync_test_total 3$/m);
  });
});
