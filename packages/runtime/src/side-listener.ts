import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

/** A small HTTP listener beside the main work (admin, metrics, health). */
export interface SideListener {
  port: number;
  /** Stops it at once (nothing there needs draining); idempotent. */
  close(): Promise<void>;
}

/**
 * Serves `fetch` on host:port and resolves once listening, or rejects with
 * the listen error (a port in use) instead of crashing the process.
 */
export async function startSideListener(
  fetch: (request: Request) => Response | Promise<Response>,
  { port, host }: { port: number; host: string },
): Promise<SideListener> {
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = serve({ fetch, port, hostname: host }, () => {
      listening.off('error', reject);
      resolve(listening);
    }) as Server;
    listening.once('error', reject);
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
