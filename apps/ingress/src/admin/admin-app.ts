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

export interface DashboardDeps {
  /** The callback queue, on a connection of its own (dashboard queries never queue up behind an ack). */
  queue: Queue;
  /** Lengths of the queue's inbox streams: its entries are shown as waiting (see InboxQueueAdapter). */
  readInbox?: ReadInbox;
  /** ADMIN_USER/ADMIN_PASSWORD: every page, the dashboard's API and assets included, asks for these. */
  credentials: BasicCredentials;
  /** Where the dashboard lives on the admin listener. */
  basePath?: string;
  /** Hides the dashboard's actions and refuses every write (ADMIN_READ_ONLY). */
  readOnly?: boolean;
}

export interface MetricsEndpointDeps {
  /** Served as Prometheus text at `/metrics`. */
  registry: Registry;
  /** METRICS_USER/METRICS_PASSWORD: what Prometheus sends. */
  credentials: BasicCredentials;
}

export interface AdminAppDeps {
  /** The bull-board dashboard; left out, the listener has none. */
  dashboard?: DashboardDeps | undefined;
  /** `/metrics`; left out, the listener has none. */
  metrics?: MetricsEndpointDeps | undefined;
}

/**
 * The admin listener's app: the bull-board dashboard of the callback queue
 * (inspect, retry and remove jobs) and `/metrics`, each behind HTTP basic
 * auth with a credential of its own, so the one a scraper holds cannot
 * retry or delete jobs and the operator's does not read metrics; dashboard
 * writes only from its own pages, or none in read-only mode (see
 * write-guard.ts). Pure: it talks to Redis only when a page or a scrape asks.
 */
export function createAdminApp({ dashboard, metrics }: AdminAppDeps): Hono {
  const app = new Hono();
  // Before the dashboard's middleware: /metrics answers here and never reaches it. hono compares
  // hashes of both values in constant time, so a wrong guess takes as long as a nearly right one.
  if (metrics) {
    const { registry } = metrics;
    app.get('/metrics', basicAuth({ ...metrics.credentials, realm: 'openim-sync metrics' }), async (c) =>
      c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }),
    );
  }
  if (dashboard) mountDashboard(app, dashboard);
  return app;
}

function mountDashboard(app: Hono, { queue, readInbox, credentials, basePath = '/', readOnly = false }: DashboardDeps) {
  app.use('*', basicAuth({ ...credentials, realm: 'openim-sync admin' }));
  app.use('*', writeGuard({ readOnly }));
  const board = new HonoAdapter(serveStatic).setBasePath(basePath);
  createBullBoard({
    queues: [
      new InboxQueueAdapter(queue, readInbox ?? (async () => ({ inbox: 0, rejected: 0 })), {
        description: 'OpenIM callbacks waiting for, or failed in, the workers',
        readOnlyMode: readOnly,
      }),
    ],
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'openim-sync' } },
  });
  app.route(basePath, board.registerPlugin());
}
