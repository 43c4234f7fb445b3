import { cachedCheck, type Logger } from '@openim-sync/runtime';
import type { Catalog } from '@openim-sync/schema';
import { Hono } from 'hono';
import type { BeforeCallbackResponder } from './before-callbacks/responder.js';
import { createCallbackHandler } from './callback-handler.js';
import type { CallbackObserver } from './metrics.js';
import type { Producer } from './producer.js';
import { errorBody } from './responses.js';
import { allowListMiddleware, createAllowList } from './security/allow-list.js';
import { createCallbackToken } from './security/callback-token.js';
import { type ClientAddress, createClientAddress } from './security/client-address.js';
import type { SecuritySettings } from './security/security-env.js';

export interface AppDeps {
  config: { basePath: string; maxBodyBytes: number; security?: SecuritySettings };
  catalog: Catalog;
  producer: Producer;
  logger: Logger;
  /** Counts each callback's outcome and latency (ingress metrics); optional. */
  observer?: CallbackObserver | undefined;
  /** True once shutdown began: /readyz turns 503 so load balancers stop sending. */
  isShuttingDown?: () => boolean;
  /** Where a request came from, for ALLOWED_IPS; by default the socket's peer (or X-Forwarded-For per TRUST_PROXY). */
  clientAddress?: ClientAddress;
  /** Answers OpenIM's before-callbacks (BEFORE_CALLBACK_*); left out, each gets the local "continue". */
  beforeCallbacks?: BeforeCallbackResponder | undefined;
}

/** How long one answer of Redis to /readyz serves every later probe. */
const READY_CACHE_MS = 1000;

/** The ingress HTTP app: callbacks plus health checks. Pure: no I/O until a request comes. */
export function createApp({
  config,
  catalog,
  producer,
  logger,
  isShuttingDown = () => false,
  observer,
  clientAddress,
  beforeCallbacks,
}: AppDeps): Hono {
  const app = new Hono();
  const base = config.basePath;
  const token = createCallbackToken(base, config.security?.callbackToken);
  const handleCallback = createCallbackHandler({
    ...config,
    basePath: base,
    catalog,
    producer,
    logger,
    observer,
    token,
    beforeCallbacks,
  });
  const callbackPaths = base === '/' ? ['/', '/*'] : [base, `${base}/*`];

  // Before every route, so a refused address learns nothing else; health checks stay open (see allow-list.ts).
  const security = config.security;
  if (security && security.allowedIps.length > 0) {
    const clientOf = clientAddress ?? createClientAddress(security.trustedProxies);
    app.use(allowListMiddleware(createAllowList(security.allowedIps), clientOf, logger));
  }

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  // Open to every address (see allow-list.ts), so one PING a second at most, however many ask.
  const redisReady = cachedCheck(() => producer.ready(), READY_CACHE_MS);
  app.get('/readyz', async (c) => {
    if (isShuttingDown()) return c.json({ status: 'shutting down' }, 503);
    return (await redisReady()) ? c.json({ status: 'ready' }) : c.json({ status: 'redis unavailable' }, 503);
  });

  app.on('POST', callbackPaths, handleCallback);
  app.on(['GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'], callbackPaths, (c) => {
    c.header('Allow', 'POST');
    return c.json(errorBody(405, `method ${c.req.method} not allowed: OpenIM callbacks are POST`), 405);
  });

  app.notFound((c) => c.json(errorBody(404, `no route ${c.req.method} ${token.redact(c.req.path)}`), 404));
  app.onError((err, c) => {
    // The socket closed while the body was read: the client left, or HTTP_REQUEST_TIMEOUT_MS cut a
    // trickled body off (and answered 408). Nobody reads this answer; not worth an error line each.
    if ((err as { code?: string }).code === 'ECONNRESET') {
      logger.debug({ path: token.redact(c.req.path) }, 'request aborted before its body was complete');
      return c.json(errorBody(400, 'request aborted'), 400);
    }
    logger.error({ err, path: token.redact(c.req.path) }, 'unhandled error');
    return c.json(errorBody(500, 'internal error'), 500);
  });
  return app;
}
