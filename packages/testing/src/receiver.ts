import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** What the worker's http sink forwards (apps/worker/src/sinks/http-sink.ts). */
export interface ForwardedBody {
  id: string;
  command: string;
  operationID: string;
  receivedAt: string;
  event: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/** One complete request the receiver got, and what it answered. */
export interface Delivery {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The body's bytes, as sent. */
  raw: Buffer;
  /** The body read as JSON (what the http sink forwards); undefined when it is not JSON. */
  body: ForwardedBody;
  idempotencyKey: string | undefined;
  /** The status answered; 0 when a function took the response over (see {@link Reply}). */
  status: number;
}

/**
 * How to answer one request: a status (with a small JSON body), a status with
 * headers and a body, or a function that writes the response itself, when it
 * likes or never (a stalled, endless or held answer).
 */
export type Reply =
  | number
  | { status: number; headers?: OutgoingHttpHeaders; body?: string }
  | ((res: ServerResponse) => void);

export type Answer = (delivery: Omit<Delivery, 'status'>) => Reply;

/** Stands in for the App: the target of the http sink or of the ingress's before-callbacks. */
export interface Receiver {
  /** Where to send: the receiver's origin and `path`. */
  url: string;
  /** Every complete request, in arrival order. */
  deliveries: Delivery[];
  /** TCP connections opened to it so far (keep-alive checks). */
  connections: number;
  /** Decides each answer; swap it to start or end an outage. Answers 200 by default. */
  answer: Answer;
  /** Time it takes before answering each request, to keep jobs active for a while. */
  delayMs: number;
  /** Cuts every open connection (ends a held or endless answer). */
  closeConnections(): void;
  close(): Promise<void>;
}

export interface ReceiverOptions {
  path?: string;
  answer?: Answer;
  delayMs?: number;
}

/**
 * Starts a receiver on 127.0.0.1. A request cut off before its body ended (a
 * killed worker) is not a delivery and is not recorded.
 */
export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    deliveries: [],
    connections: 0,
    answer: options.answer ?? (() => 200),
    delayMs: options.delayMs ?? 0,
    closeConnections: () => server.closeAllConnections(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      res.destroy();
      return;
    }
    const raw = Buffer.concat(chunks);
    const key = req.headers['idempotency-key'];
    const request = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      raw,
      body: readJson(raw) as ForwardedBody,
      idempotencyKey: Array.isArray(key) ? key.join(',') : key,
    };
    if (receiver.delayMs > 0) await delay(receiver.delayMs);
    const reply = receiver.answer(request);
    receiver.deliveries.push({ ...request, status: typeof reply === 'function' ? 0 : statusOf(reply) });
    respond(res, reply);
  });
  server.on('connection', () => receiver.connections++);
  // Longer than any run, so an idle keep-alive socket is never closed under the client's feet.
  server.keepAliveTimeout = 120_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}${options.path ?? '/openim-events'}`;
  return receiver;
}

function statusOf(reply: Exclude<Reply, (res: ServerResponse) => void>): number {
  return typeof reply === 'number' ? reply : reply.status;
}

function respond(res: ServerResponse, reply: Reply): void {
  if (typeof reply === 'function') reply(res);
  else if (typeof reply === 'number') {
    res.writeHead(reply, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: reply < 300 }));
  } else res.writeHead(reply.status, reply.headers).end(reply.body ?? '');
}

function readJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}
