import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the worker's http sink made. */
export interface Delivery {
  idempotencyKey: string | undefined;
  body: ForwardedBody;
  status: number;
}

/** What the http sink forwards (apps/worker/src/sinks/http-sink.ts). */
export interface ForwardedBody {
  id: string;
  command: string;
  operationID: string;
  receivedAt: string;
  event: Record<string, unknown>;
  payload: Record<string, unknown>;
}

export interface ForwardReceiver {
  url: string;
  deliveries: Delivery[];
  close(): Promise<void>;
}

/**
 * Stands in for the App's endpoint: records every forwarded event. The first
 * delivery of each operationID in `failFirst` gets a transient error (503, or
 * 429 with `Retry-After: 0`), so those events are delivered at least twice.
 */
export async function startForwardReceiver(failFirst: ReadonlySet<string>): Promise<ForwardReceiver> {
  const deliveries: Delivery[] = [];
  const seen = new Set<string>();
  const server = createServer(async (req, res) => {
    const body = JSON.parse(await readAll(req)) as ForwardedBody;
    const key = req.headers['idempotency-key'];
    const first = !seen.has(body.operationID);
    seen.add(body.operationID);
    let status = 200;
    if (first && failFirst.has(body.operationID)) {
      status = deliveries.length % 2 === 0 ? 503 : 429;
      if (status === 429) res.setHeader('retry-after', '0');
    }
    deliveries.push({ idempotencyKey: Array.isArray(key) ? key.join(',') : key, body, status });
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status === 200 }));
  });
  // Longer than the run, so an idle keep-alive socket is never closed under the worker's feet.
  server.keepAliveTimeout = 120_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/openim-events`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
