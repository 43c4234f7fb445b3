import type { ServerOptions } from 'node:http';
import { env } from '@openim-sync/runtime';
import { z } from 'zod';

/**
 * The callback listener's limits on slow or idle clients, merged into the
 * ingress's config schema. OpenIM gives up on a callback after 5 s (its
 * webhooks.yml `timeout`), so a request still arriving after 3 s is not one it
 * waits for: it is a broken or hostile client holding a socket.
 */
export const serverLimitsEnv = {
  HTTP_HEADERS_TIMEOUT_MS: env.positiveInt(2000).meta({
    description:
      "Longest time in ms from a request's first byte to its last header line; then 408 and the connection is closed.",
  }),
  HTTP_REQUEST_TIMEOUT_MS: env.positiveInt(3000).meta({
    description: 'Longest time in ms to receive a whole request, headers and body; at least HTTP_HEADERS_TIMEOUT_MS.',
  }),
  // Node's own default is 5 s; the longer, the rarer the race with OpenIM's idle connections.
  HTTP_KEEP_ALIVE_TIMEOUT_MS: env.positiveInt(60_000).meta({
    description:
      'Ms an idle kept-alive connection stays open (Node closes it 1 s later). OpenIM keeps idle connections ' +
      'with no limit and does not resend a callback on one the server just closed, so keep it long.',
  }),
  HTTP_MAX_CONNECTIONS: env.positiveInt(1024).meta({
    description: 'Most connections open at once; one beyond it is closed at once (OpenIM opens up to 100 per host).',
  }),
} as const;

const ServerLimitsEnv = z.object(serverLimitsEnv);
type ServerLimitsEnv = z.output<typeof ServerLimitsEnv>;

/** What the callback listener is created with. */
export interface ServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

/** Node refuses to start a server whose headers timeout is longer than its request timeout; say so by name. */
export function checkServerLimits(e: ServerLimitsEnv, ctx: z.RefinementCtx): void {
  // zod runs this even when a value failed its own check; that one is reported already.
  if (!(e.HTTP_REQUEST_TIMEOUT_MS > 0)) return;
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
    ctx.addIssue({
      code: 'custom',
      path: ['HTTP_HEADERS_TIMEOUT_MS'],
      message: `must not be longer than HTTP_REQUEST_TIMEOUT_MS (${e.HTTP_REQUEST_TIMEOUT_MS})`,
    });
  }
}

export function toServerLimits(e: ServerLimitsEnv): ServerLimits {
  return {
    headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: e.HTTP_MAX_CONNECTIONS,
  };
}

/**
 * Options for `http.createServer` (@hono/node-server passes `serverOptions` through).
 * Node looks for expired headers and request timeouts only every
 * `connectionsCheckingInterval` (30 s by default), which would let a slow client
 * hold its socket ten times longer than configured: look 4 times a second.
 */
export function toServerOptions(limits: ServerLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: 250,
  };
}
