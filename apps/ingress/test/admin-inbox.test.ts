// The dashboard with callbacks acknowledged into the inbox and no worker running: the admin
// listener over real HTTP, the queue and its inbox streams in the real Redis.
import { appendToInbox, createCallbackQueue, inboxKeys, type QueueSettings } from '@openim-sync/queue';
import { createLogger, type SideListener, startSideListener } from '@openim-sync/runtime';
import { deleteQueueKeys } from '@openim-sync/testing';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAdminApp } from '../src/admin/admin-app.js';
import { type AdminServer, startAdminServer } from '../src/admin/admin-server.js';
import { testQueueSettings } from './stack.js';

const credentials = { username: 'ops', password: 'correct horse battery' };
const AUTH = {
  Authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
};
const logger = createLogger({ name: 'admin-inbox-test', level: 'silent', pretty: false });
const QUIT = 'callbackAfterQuitGroupCommand';

interface BoardQueue {
  name: string;
  description?: string;
  counts: Record<string, number>;
  jobs: Array<{ id: string }>;
}

/** The dashboard's queue list, as its page fetches it. */
async function boardQueues(port: number, query = 'activeQueue=&page=1&jobsPerPage=10'): Promise<BoardQueue[]> {
  const response = await fetch(`http://127.0.0.1:${port}/api/queues?${query}`, { headers: AUTH });
  expect(response.status).toBe(200);
  return ((await response.json()) as { queues: BoardQueue[] }).queues;
}

describe('dashboard counts the inbox (real Redis, real HTTP)', () => {
  let settings: QueueSettings;
  let redis: Redis;
  let queue: Queue;
  let admin: AdminServer | undefined;
  let failingInbox: SideListener | undefined;

  beforeAll(async () => {
    settings = testQueueSettings(inject('redisUrl'), 'admin_inbox');
    redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: 1 });
    queue = createCallbackQueue(settings, redis) as unknown as Queue;
    await queue.waitUntilReady();
    const config = { port: 0, host: '127.0.0.1', dashboard: credentials, metrics: undefined, readOnly: false };
    admin = await startAdminServer({ config, queueSettings: settings, logger });
    const readInbox = () => Promise.reject(new Error('inbox unreadable'));
    const app = createAdminApp({ dashboard: { queue, readInbox, credentials } });
    failingInbox = await startSideListener(app.fetch, { port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await admin?.close();
    await failingInbox?.close();
    await queue?.close();
    redis?.disconnect();
    if (settings) await deleteQueueKeys(settings.redisUrl, settings.prefix, settings.name);
  });

  it('shows acknowledged callbacks still in the inbox as waiting, and says how many are there', async () => {
    const port = admin?.port as number;
    const [empty] = await boardQueues(port);
    expect(empty?.counts.waiting).toBe(0);
    expect(empty?.description).toBe('OpenIM callbacks waiting for, or failed in, the workers');

    const keys = inboxKeys(settings);
    for (const operationID of ['a', 'b', 'c']) {
      await appendToInbox(redis, keys.stream, { command: QUIT, operationID, receivedAt: 1, body: Buffer.from('{}') });
    }
    await redis.xadd(keys.rejected, '*', 'entry', '1-0', 'reason', 'no body');
    await queue.add(QUIT, { command: QUIT }, { jobId: 'h-queued' });

    const [board] = await boardQueues(port);
    expect(board?.name).toBe(settings.name);
    expect(board?.counts.waiting).toBe(4);
    expect(board?.description).toBe(
      'OpenIM callbacks waiting for, or failed in, the workers · ' +
        '3 in the inbox (counted as waiting, not moved into the queue by a worker yet) · 1 rejected (see jobs inbox)',
    );

    // The waiting tab lists the queue's real jobs only: inbox entries are no jobs to open or retry.
    const query = `activeQueue=${encodeURIComponent(settings.name)}&status=waiting&page=1&jobsPerPage=10`;
    const [active] = await boardQueues(port, query);
    expect(active?.jobs.map((job) => job.id)).toEqual(['h-queued']);
  });

  it("shows the queue's own counts when the inbox cannot be read", async () => {
    const [board] = await boardQueues(failingInbox?.port as number);
    expect(board?.counts.waiting).toBe(1);
    expect(board?.description).toBe('OpenIM callbacks waiting for, or failed in, the workers');
  });
});
