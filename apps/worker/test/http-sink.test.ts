import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Receiver, startReceiver } from '@openim-sync/testing';
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

// The App: a real HTTP server whose answer each test sets; it records what it received.
let receiver: Receiver;
let answer: (res: ServerResponse) => void;
let sink: Sink | undefined;
const open = (timeoutMs = 2000, authorization?: string) => {
  sink = createHttpSink({ url: receiver.url, timeoutMs, authorization });
  return sink;
};

beforeAll(async () => {
  receiver = await startReceiver({ answer: () => (res) => answer(res) });
});

afterEach(async () => {
  await sink?.close();
  sink = undefined;
  receiver.deliveries.length = 0;
  receiver.connections = 0;
});

afterAll(() => receiver.close());

describe('http sink', () => {
  it('posts the event as JSON with its idempotency key and the configured authorization', async () => {
    answer = (res) => res.writeHead(204).end();
    expect(await open(2000, 'Bearer s3cret').apply(item)).toBe('forwarded');

    expect(receiver.deliveries).toHaveLength(1);
    const [request] = receiver.deliveries;
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['idempotency-key']).toBe('h-forward-1');
    expect(request?.headers.authorization).toBe('Bearer s3cret');
    expect(JSON.parse(request?.raw.toString('utf8') ?? '')).toEqual({
      id: 'h-forward-1',
      command: 'callbackAfterJoinGroupCommand',
      operationID: 'op-1',
      receivedAt: '2026-11-26T05:00:00.000Z',
      event: item.event,
      payload: item.payload,
    } satisfies ForwardedEvent);
  });

  it('keeps connections alive across events', async () => {
    answer = (res) => res.writeHead(200).end('ok');
    const http = open();
    for (let i = 0; i < 20; i++) await http.apply({ ...item, id: `h-forward-${i}` });
    expect(receiver.deliveries).toHaveLength(20);
    // The pool may open a second socket while the first is still finishing its response.
    expect(receiver.connections).toBeLessThanOrEqual(2);
  });

  it('retries 5xx with the delay Retry-After asks for, and shows what the target said', async () => {
    answer = (res) => res.writeHead(503, { 'retry-after': '7' }).end('busy, come back');
    const error = await open()
      .apply(item)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RetryableSinkError);
    expect((error as RetryableSinkError).message).toBe('forward target answered 503: busy, come back');
    expect((error as RetryableSinkError).retryAfterMs).toBe(7000);
  });

  it.each([408, 429])('retries %i', async (status) => {
    answer = (res) => res.writeHead(status).end();
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
    answer = (res) => res.writeHead(status, { location: '/elsewhere' }).end(text);
    const error = await open()
      .apply(item)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PermanentSinkError);
    expect((error as Error).message).toBe(`forward target answered ${status}${text ? `: ${text}` : ''}`);
    expect(receiver.deliveries).toHaveLength(1);
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
    answer = (res) => {
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
    const endless = (status: number) => (res: ServerResponse) => {
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
      receiver.closeConnections();
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
      sink = createHttpSink({ url: receiver.url, timeoutMs: 2000, maxAnswerBytes: 10 });
      const result = await settle(sink);
      expect((result as { error: unknown }).error).toBeInstanceOf(PermanentSinkError);
      expect(((result as { error: Error }).error as Error).message).toBe('forward target answered 422: xxxxxxxxxx');
    });

    it('gives up on an answer that trickles past the timeout, each gap shorter than it', async () => {
      answer = (res) => {
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
      answer = (res) => res.writeHead(200).end('ok');
      const http = open();
      for (let i = 0; i < 5; i++) await http.apply({ ...item, id: `h-short-${i}` });
      expect(receiver.connections).toBeLessThanOrEqual(2);
    });
  });

  it('closes more than once', async () => {
    const http = open();
    await http.close();
    await expect(http.close()).resolves.toBeUndefined();
  });
});
