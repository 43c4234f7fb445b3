import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHttpSink, type ForwardedEvent } from '../src/sinks/http-sink.js';
import { PermanentSinkError, RetryableSinkError, type Sink, type SinkEvent } from '../src/sinks/sink.js';

const item: SinkEvent = {
  id: 'h-forward-1',
  command: 'callbackAfterJoinGroupCommand',
  operationID: 'op-1',
  receivedAt: Date.parse('2026-11-26T05:00:00.000Z'),
  event: {
    type: 'group.member.joined',
    groupID: 'g1',
    userID: 'u1',
    joinSource: 3,
    reqMessage: '',
    ex: null,
    groupEx: null,
  },
  payload: { callbackCommand: 'callbackAfterJoinGroupCommand', groupID: 'g1', inviterUserID: 'u1' },
};

interface Received {
  method: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

// A real HTTP server whose answer each test sets; it records what it received.
let server: Server;
let answer: (req: IncomingMessage, res: ServerResponse) => void;
const received: Received[] = [];
let connections = 0;
let sink: Sink | undefined;
const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/openim-events`;
const open = (timeoutMs = 2000, authorization?: string) => {
  sink = createHttpSink({ url: url(), timeoutMs, authorization });
  return sink;
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(req, res);
    });
  });
  server.on('connection', () => connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});

afterEach(async () => {
  await sink?.close();
  sink = undefined;
  received.length = 0;
  connections = 0;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('http sink', () => {
  it('posts the event as JSON with its idempotency key and the configured authorization', async () => {
    answer = (_req, res) => res.writeHead(204).end();
    expect(await open(2000, 'Bearer s3cret').apply(item)).toBe('forwarded');

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['idempotency-key']).toBe('h-forward-1');
    expect(request?.headers.authorization).toBe('Bearer s3cret');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      id: 'h-forward-1',
      command: 'callbackAfterJoinGroupCommand',
      operationID: 'op-1',
      receivedAt: '2026-11-26T05:00:00.000Z',
      event: item.event,
      payload: item.payload,
    } satisfies ForwardedEvent);
  });

  it('keeps connections alive across events', async () => {
    answer = (_req, res) => res.writeHead(200).end('ok');
    const http = open();
    for (let i = 0; i < 20; i++) await http.apply({ ...item, id: `h-forward-${i}` });
    expect(received).toHaveLength(20);
    // The pool may open a second socket while the first is still finishing its response.
    expect(connections).toBeLessThanOrEqual(2);
  });

  it('retries 5xx with the delay Retry-After asks for, and shows what the target said', async () => {
    answer = (_req, res) => res.writeHead(503, { 'retry-after': '7' }).end('busy, come back');
    const error = await open()
      .apply(item)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RetryableSinkError);
    expect((error as RetryableSinkError).message).toBe('forward target answered 503: busy, come back');
    expect((error as RetryableSinkError).retryAfterMs).toBe(7000);
  });

  it.each([408, 429])('retries %i', async (status) => {
    answer = (_req, res) => res.writeHead(status).end();
    const error = await open()
      .apply(item)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RetryableSinkError);
    expect((error as Error).message).toBe(`forward target answered ${status}`);
    expect((error as RetryableSinkError).retryAfterMs).toBeUndefined();
  });

  it.each([
    [422, 'this event can never be accepted'],
    [404, ''],
    [308, ''],
  ])('fails at once on %i, which no retry can change', async (status, text) => {
    answer = (_req, res) => res.writeHead(status, { location: '/elsewhere' }).end(text);
    const error = await open()
      .apply(item)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PermanentSinkError);
    expect((error as Error).message).toBe(`forward target answered ${status}${text ? `: ${text}` : ''}`);
    expect(received).toHaveLength(1);
  });

  it('retries when no answer comes within the timeout', async () => {
    answer = () => {};
    const started = performance.now();
    const error = await open(300)
      .apply(item)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RetryableSinkError);
    expect((error as Error).message).toBe('forward target unreachable: no answer within 300 ms');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('retries when the answer stalls midway', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    };
    const error = await open(300)
      .apply(item)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RetryableSinkError);
    expect((error as Error).message).toBe('forward target unreachable: the answer stalled for 300 ms');
  });

  it('retries when nothing listens, naming the system error', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    sink = createHttpSink({ url: `http://127.0.0.1:${port}/openim-events`, timeoutMs: 2000 });
    const error = await sink.apply(item).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RetryableSinkError);
    expect((error as Error).message).toBe('forward target unreachable: ECONNREFUSED');
  });

  describe('an answer that never ends', () => {
    // Writes 16 KiB chunks as fast as the client reads them, until the client goes away.
    const endless = (status: number) => (_req: IncomingMessage, res: ServerResponse) => {
      const chunk = Buffer.alloc(16 * 1024, 'x');
      stream = { written: 0, closed: false };
      const state = stream;
      res.on('close', () => {
        state.closed = true;
      });
      res.writeHead(status, { 'content-type': 'text/plain' });
      const pump = () => {
        while (!res.destroyed && state.written < 256 * 1024 ** 2) {
          state.written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      pump();
    };
    let stream: { written: number; closed: boolean } | undefined;
    afterEach(() => {
      server.closeAllConnections();
      stream = undefined;
    });

    /** `apply`'s outcome, or `hung` when it has none within 10 s (the attempt's timeout is 2 s). */
    const settle = (http: Sink) =>
      Promise.race([
        http.apply(item).then(
          (outcome) => ({ outcome }),
          (error: unknown) => ({ error }),
        ),
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000).unref()),
      ]);

    it('delivers on 2xx after reading at most 64 KiB, and drops the connection', async () => {
      answer = endless(200);
      const heapBefore = process.memoryUsage().heapUsed;
      const result = await settle(open());
      expect(result).toEqual({ outcome: 'forwarded' });
      // The server's writes stop once the client dropped the connection: only what the
      // socket buffers held was sent, not the 256 MiB it would have sent to a reader.
      await vi.waitFor(() => expect(stream?.closed).toBe(true), { timeout: 5000 });
      expect(stream?.written).toBeLessThan(64 * 1024 * 1024);
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    });

    it('fails with the summary of its start on 5xx, and drops the connection', async () => {
      answer = endless(503);
      const result = await settle(open());
      expect(result).toHaveProperty('error');
      const { error } = result as { error: unknown };
      expect(error).toBeInstanceOf(RetryableSinkError);
      expect((error as Error).message).toBe(`forward target answered 503: ${'x'.repeat(200)}`);
      await vi.waitFor(() => expect(stream?.closed).toBe(true), { timeout: 5000 });
    });

    it('keeps the limit it is given, whatever the chunks', async () => {
      answer = endless(422);
      sink = createHttpSink({ url: url(), timeoutMs: 2000, maxAnswerBytes: 10 });
      const result = await settle(sink);
      expect((result as { error: unknown }).error).toBeInstanceOf(PermanentSinkError);
      expect(((result as { error: Error }).error as Error).message).toBe('forward target answered 422: xxxxxxxxxx');
    });

    it('gives up on an answer that trickles past the timeout, each gap shorter than it', async () => {
      answer = (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => res.write('.'), 50);
        res.on('close', () => clearInterval(timer));
      };
      const started = performance.now();
      const result = await settle(open(500));
      expect(result).toHaveProperty('error');
      const { error } = result as { error: unknown };
      expect(error).toBeInstanceOf(RetryableSinkError);
      expect((error as Error).message).toBe('forward target unreachable: the answer went on for more than 1000 ms');
      expect(performance.now() - started).toBeLessThan(5000);
    });

    it('still reuses the connection after a short answer', async () => {
      answer = (_req, res) => res.writeHead(200).end('ok');
      const http = open();
      for (let i = 0; i < 5; i++) await http.apply({ ...item, id: `h-short-${i}` });
      expect(connections).toBeLessThanOrEqual(2);
    });
  });

  it('closes more than once', async () => {
    const http = open();
    await http.close();
    await expect(http.close()).resolves.toBeUndefined();
  });
});
