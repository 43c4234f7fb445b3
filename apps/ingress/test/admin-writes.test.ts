// The dashboard's writes over real HTTP, as a browser or a script sends them: the admin app on a
// real listener, its queue in the real Redis, and a job whose removal shows whether a write ran.
import { createCallbackQueue, createProducerConnection, type QueueSettings } from '@openim-sync/queue';
import { type SideListener, startSideListener } from '@openim-sync/runtime';
import { deleteQueueKeys } from '@openim-sync/testing';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createAdminApp } from '../src/admin/admin-app.js';
import { testQueueSettings } from './stack.js';

const credentials = { username: 'ops', password: 'correct horse battery' };
const AUTH = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
const JOB = 'h-guarded';

describe('dashboard writes over HTTP', () => {
  let settings: QueueSettings;
  let connection: Redis;
  let queue: Queue;
  let writable: SideListener;
  let readOnly: SideListener;

  beforeAll(async () => {
    settings = testQueueSettings(inject('redisUrl'), 'admin_writes');
    connection = createProducerConnection(settings.redisUrl, 2000);
    queue = createCallbackQueue(settings, connection) as unknown as Queue;
    await queue.waitUntilReady();
    const local = { port: 0, host: '127.0.0.1' };
    writable = await startSideListener(createAdminApp({ dashboard: { queue, credentials } }).fetch, local);
    const viewer = createAdminApp({ dashboard: { queue, credentials, readOnly: true } });
    readOnly = await startSideListener(viewer.fetch, local);
  });

  beforeEach(async () => {
    if (!(await queue.getJob(JOB))) await queue.add('callbackAfterQuitGroupCommand', { n: 1 }, { jobId: JOB });
  });

  afterAll(async () => {
    await writable?.close();
    await readOnly?.close();
    await queue?.close();
    connection?.disconnect();
    if (settings) await deleteQueueKeys(settings.redisUrl, settings.prefix, settings.name);
  });

  const origin = (listener: SideListener) => `http://127.0.0.1:${listener.port}`;
  const cleanPath = () => `/api/queues/${encodeURIComponent(settings.name)}/${JOB}/clean`;
  const jobExists = async () => (await queue.getJob(JOB)) !== undefined;

  /** A write to `path` on `listener` with basic auth and the given headers and body. */
  function send(listener: SideListener, path: string, init: { method?: string; headers?: object; body?: string }) {
    return fetch(`${origin(listener)}${path}`, {
      method: init.method ?? 'PUT',
      headers: { Authorization: AUTH, ...init.headers },
      body: init.body,
    });
  }

  it("runs a write from the dashboard's own page, as Chromium sends it", async () => {
    const response = await send(writable, cleanPath(), {
      headers: { Origin: origin(writable), 'Sec-Fetch-Site': 'same-origin', 'Sec-Fetch-Mode': 'cors' },
    });
    expect(response.status).toBe(204);
    expect(await jobExists()).toBe(false);
  });

  it('runs a write from a client that is no browser (no Origin, no Sec-Fetch-Site)', async () => {
    expect((await send(writable, cleanPath(), {})).status).toBe(204);
    expect(await jobExists()).toBe(false);
  });

  it.each([
    ['another site', { Origin: 'http://evil.example', 'Sec-Fetch-Site': 'cross-site' }],
    ['another site, no Sec-Fetch-Site (an older browser)', { Origin: 'http://evil.example' }],
    ['another port of the same host', { Origin: 'http://127.0.0.1:1', 'Sec-Fetch-Site': 'same-site' }],
    ['an opaque origin (sandboxed frame)', { Origin: 'null' }],
    ['a sibling site naming our origin', { Origin: 'http://127.0.0.1', 'Sec-Fetch-Site': 'same-site' }],
    ['a cross-site fetch whose Origin a proxy rewrote', { 'Sec-Fetch-Site': 'cross-site' }],
  ])('refuses a write from %s with 403, and the job stays', async (_label, headers) => {
    const response = await send(writable, cleanPath(), { headers });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toMatch(/dashboard's own pages/);
    expect(await jobExists()).toBe(true);
  });

  it.each(['PUT', 'POST', 'PATCH', 'DELETE'])('refuses a cross-site %s on any path', async (method) => {
    const response = await send(writable, '/api/queues/pause', { method, headers: { Origin: 'http://evil.example' } });
    expect(response.status).toBe(403);
    expect(await queue.isPaused()).toBe(false);
  });

  it.each([
    ['a form', 'application/x-www-form-urlencoded', 'delay=1'],
    ['a multipart form', 'multipart/form-data; boundary=x', '--x--'],
    ['text/plain', 'text/plain', '{"delay":1}'],
    ['no content type', undefined, '{"delay":1}'],
  ])('refuses a same-origin write whose body is %s', async (_label, type, body) => {
    const response = await send(writable, cleanPath(), {
      headers: { Origin: origin(writable), 'Sec-Fetch-Site': 'same-origin', ...(type && { 'Content-Type': type }) },
      body,
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toMatch(/as JSON/);
    expect(await jobExists()).toBe(true);
  });

  it('runs a same-origin write whose body is JSON', async () => {
    const path = `/api/queues/${encodeURIComponent(settings.name)}/${JOB}/update-data`;
    const response = await send(writable, path, {
      method: 'PATCH',
      headers: { Origin: origin(writable), 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json' },
      body: JSON.stringify({ jobData: { n: 2 } }),
    });
    expect(response.status).toBe(200);
    expect((await queue.getJob(JOB))?.data).toEqual({ n: 2 });
  });

  it('lets reads through from anywhere (basic auth still applies)', async () => {
    const page = await fetch(`${origin(writable)}/api/queues`, {
      headers: { Authorization: AUTH, Origin: 'http://evil.example', 'Sec-Fetch-Site': 'cross-site' },
    });
    expect(page.status).toBe(200);
    const anonymous = await fetch(`${origin(writable)}${cleanPath()}`, { method: 'PUT' });
    expect(anonymous.status).toBe(401);
  });

  describe('read-only mode', () => {
    it('refuses every write, the same-origin ones included', async () => {
      for (const headers of [{ Origin: origin(readOnly), 'Sec-Fetch-Site': 'same-origin' }, {}]) {
        const response = await send(readOnly, cleanPath(), { headers });
        expect(response.status).toBe(403);
        expect(((await response.json()) as { error: string }).error).toMatch(/read-only/);
      }
      const pause = await send(readOnly, '/api/queues/pause', {});
      expect(pause.status).toBe(403);
      expect(await jobExists()).toBe(true);
      expect(await queue.isPaused()).toBe(false);
    });

    it('tells the page to hide its actions, and still shows the queue', async () => {
      const response = await fetch(`${origin(readOnly)}/api/queues?activeQueue=&page=1&jobsPerPage=10`, {
        headers: { Authorization: AUTH },
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { queues: Array<{ readOnlyMode: boolean; counts: { waiting: number } }> };
      expect(body.queues[0]).toMatchObject({ readOnlyMode: true, counts: { waiting: 1 } });
    });
  });
});
