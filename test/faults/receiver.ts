import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Delivery, ForwardedBody } from '../e2e/forward-receiver.js';

/** How the App's endpoint answers one delivery: an HTTP status. */
export type Answer = (body: ForwardedBody) => number;

export interface FaultReceiver {
  url: string;
  /** Every complete request the worker's http sink made, in arrival order. */
  deliveries: Delivery[];
  /** Decides each answer; swap it to start or end an outage. Answers 200 by default. */
  answer: Answer;
  /** Time the endpoint takes per request, to keep jobs active for a while. */
  delayMs: number;
  close(): Promise<void>;
}

/**
 * Stands in for the App's endpoint, like test/e2e/forward-receiver.ts, but
 * with an answer that a test can change while the workers run. A request cut
 * off by a killed worker is not a delivery and is not recorded.
 */
export async function startFaultReceiver(delayMs = 0): Promise<FaultReceiver> {
  const receiver: FaultReceiver = {
    url: '',
    deliveries: [],
    answer: () => 200,
    delayMs,
    close: async () => {},
  };
  const server = createServer(async (req, res) => {
    let body: ForwardedBody;
    try {
      body = JSON.parse(await readAll(req)) as ForwardedBody;
    } catch {
      res.destroy();
      return;
    }
    if (receiver.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, receiver.delayMs));
    const status = receiver.answer(body);
    const key = req.headers['idempotency-key'];
    receiver.deliveries.push({ idempotencyKey: Array.isArray(key) ? key.join(',') : key, body, status });
    const text = status === 422 ? { error: 'this event can never be accepted' } : { ok: status < 300 };
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(text));
  });
  // Longer than the run, so an idle keep-alive socket is never closed under the worker's feet.
  server.keepAliveTimeout = 120_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}/openim-events`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
