import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { answerClientError } from './security/client-error.js';
import { type ServerLimits, toServerOptions } from './server-limits.js';

export interface CallbackServerOptions {
  fetch: (request: Request) => Response | Promise<Response>;
  port: number;
  host: string;
  limits: ServerLimits;
}

export interface CallbackServer {
  /** The bound port (useful with port 0). */
  port: number;
  /**
   * Stops accepting connections, and every response from now on ends its
   * connection; resolves once each request in flight got its answer.
   * Idempotent.
   */
  close(): Promise<void>;
}

/** Listens for OpenIM's callbacks. Resolves once listening; rejects when the port cannot be bound. */
export async function listenForCallbacks({
  fetch,
  port,
  host,
  limits,
}: CallbackServerOptions): Promise<CallbackServer> {
  const server = serve({ fetch, port, hostname: host, serverOptions: toServerOptions(limits) }) as Server;
  server.maxConnections = limits.maxConnections;
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });

  // Once closing, every response ends its connection: a kept-alive connection that
  // OpenIM goes on reusing would otherwise hold the server open until the deadline.
  let closing: Promise<void> | undefined;
  const inFlight = new Set<ServerResponse>();
  server.on('request', (_req, res: ServerResponse) => {
    if (closing) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  return {
    port: (server.address() as AddressInfo).port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const res of inFlight) res.shouldKeepAlive = false;
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
