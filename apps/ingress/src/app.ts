import type { Logger } from '@openim-sync/runtime';
import type { Catalog } from '@openim-sync/schema';
import { Hono } from 'hono';
import { createCallbackHandler } from './callback-handler.js';
import type { Producer } from './producer.js';
import { errorBody } from './responses.js';

export interface AppDeps {
  config: { basePath: string; maxBodyBytes: number };
  catalog: Catalog;
  producer: Producer;
  logger: Logger;
  /** True once shutdown began: /readyz turns 503 so load balancers stop sending. */
  isShuttingDown?: () => boolean;
}

/** The ingress HTTP app: callbacks plus health checks. Pure: no I/O until a request comes. */
export function createApp({ config, catalog, producer, logger, isShuttingDown = () => false }: AppDeps): Hono {
  const app = new Hono();
  const base = config.basePath;
  const handleCallback = createCallbackHandler({ ...config, basePath: base, catalog, producer, logger });
  const callbackPaths = base === '/' ? ['/', '/*'] : [base, `${base}/*`];

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    if (isShuttingDown()) return c.json({ status: 'shutting down' }, 503);
    return (await producer.ready()) ? c.json({ status: 'ready' }) : c.json({ status: 'redis unavailable' }, 503);
  });

  app.on('POST', callbackPaths, handleCallback);
  app.on(['GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'], callbackPaths, (c) => {
    c.header('Allow', 'POST');
    return c.json(errorBody(405, `method ${c.req.method} not allowed: OpenIM callbacks are POST`), 405);
  });

  app.notFound((c) => c.json(errorBody(404, `no route ${c.req.method} ${c.req.path}`), 404));
  app.onError((err, c) => {
    logger.error({ err, path: c.req.path }, 'unhandled error');
    return c.json(errorBody(500, 'internal error'), 500);
  });
  return app;
}
