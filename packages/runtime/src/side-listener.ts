import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

/** A small HTTP listener beside the main work (admin, metrics, health). */
export interface SideListener {
  port: number;
  /** Stops it at once (nothing there needs draining); idempotent. */
  close(): Promise<void>;
}

/** Limits on slow or idle clients of a side listener. */
export interface SideListenerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

/**
 * Operators, scrapers and probes are few and quick: a client that takes 10 s
 * to send its headers, or keeps a hundred sockets open, is not one of them.
 * Loose enough for a dashboard on a slow link, tight enough that nobody can
 * hold the admin or metrics port with idle sockets.
 */
export const SIDE_LISTENER_LIMITS: SideListenerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 100,
};

/**
 * Serves `fetch` on host:port and resolves once listening, or rejects with
 * the listen error (a port in use) instead of crashing the process.
 */
export async function startSideListener(
  fetch: (request: Request) => Response | Promise<Response>,
  { port, host }: { port: number; host: string },
  limits: SideListenerLimits = SIDE_LISTENER_LIMITS,
): Promise<SideListener> {
  const serverOptions = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks these timeouts every 30 s by default, long after they passed.
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
  };
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = serve({ fetch, port, hostname: host, serverOptions }, () => {
      listening.off('error', reject);
      resolve(listening);
    }) as Server;
    listening.once('error', reject);
  });
  server.maxConnections = limits.maxConnections;
  // Node's own answer to a timed-out or malformed request half-closes the socket, so a client
  // that never closes its side would keep it: close it once the answer is written.
  server.on('clientError', (err: Error & { code?: string }, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, () => socket.destroy());
  });
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
