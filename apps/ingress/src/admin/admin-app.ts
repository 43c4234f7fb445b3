import { createBullBoard } from '@bull-board/api';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { BasicCredentials } from '@openim-sync/runtime';
import type { Queue } from 'bullmq';
import { Hono } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import type { Registry } from 'prom-client';
import { InboxQueueAdapter, type ReadInbox } from './inbox-adapter.js';
import { writeGuard } from './write-guard.js';

export interface AdminAppDeps {
  /** The callback queue, on a connection of its own (dashboard queries never queue up behind an ack). */
  queue: Queue;
  /** Lengths of the queue's inbox streams: its entries are shown as waiting (see InboxQueueAdapter). */
  readInbox?: ReadInbox;
  /** Served as Prometheus text at `/metrics`. */
  registry: Registry;
  /** Every route, the dashboard's API and assets included, asks for these. */
  credentials: BasicCredentials;
  /** Where the dashboard lives on the admin listener. */
  basePath?: string;
  /** Hides the dashboard's actions and refuses every write (ADMIN_READ_ONLY). */
  readOnly?: boolean;
}

/**
 * The admin listener's app: the bull-board dashboard of the callback queue
 * (inspect, retry and remove jobs) and `/metrics`, all behind HTTP basic
 * auth; writes only from the dashboard's own pages, or none in read-only
 * mode (see write-guard.ts). Pure: it talks to Redis only when a page or a
 * scrape asks.
 */
export function createAdminApp(deps: AdminAppDeps): Hono {
  const { queue, registry, credentials, basePath = '/', readOnly = false } = deps;
  const readInbox = deps.readInbox ?? (async () => ({ inbox: 0, rejected: 0 }));
  const app = new Hono();
  // hono compares hashes of both values in constant time, so a wrong guess
  // takes as long as a nearly right one.
  app.use('*', basicAuth({ ...credentials, realm: 'openim-sync admin' }));
  app.use('*', writeGuard({ readOnly }));

  app.get('/metrics', async (c) => {
    const text = await registry.metrics();
    return c.body(text, 200, { 'content-type': registry.contentType });
  });

  const board = new HonoAdapter(serveStatic).setBasePath(basePath);
  createBullBoard({
    queues: [
      new InboxQueueAdapter(queue, readInbox, {
        description: 'OpenIM callbacks waiting for, or failed in, the workers',
        readOnlyMode: readOnly,
      }),
    ],
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'openim-sync' } },
  });
  app.route(basePath, board.registerPlugin());
  return app;
}
