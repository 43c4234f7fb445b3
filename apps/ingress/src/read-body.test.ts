import { describe, expect, it } from 'vitest';
import { readBody } from './read-body.js';

function request(body: RequestInit['body'], headers: Record<string, string> = {}) {
  return new Request('http://ingress.test/callback', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

/** A stream that hands out `chunk` forever and records how it was used. */
function endlessStream(chunk: Uint8Array) {
  const usage = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      usage.pulled++;
      controller.enqueue(chunk);
    },
    cancel() {
      usage.cancelled = true;
    },
  });
  return { stream, usage };
}

describe('readBody', () => {
  it('returns the exact bytes of a declared body', async () => {
    const bytes = Buffer.from('{"a":"\\u003c"}\n');
    const result = await readBody(request(bytes, { 'content-length': String(bytes.length) }), 100);
    expect(result.ok && result.bytes.equals(bytes)).toBe(true);
  });

  it('returns the exact bytes of a chunked body', async () => {
    const parts = ['{"a":', '"é', '"}\n'].map((s) => Buffer.from(s));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      },
    });
    const result = await readBody(request(stream), 100);
    expect(result.ok && result.bytes.toString('utf8')).toBe('{"a":"é"}\n');
  });

  it('accepts exactly the limit and refuses one byte more, declared or chunked', async () => {
    const at = Buffer.alloc(10, 0x20);
    const over = Buffer.alloc(11, 0x20);
    expect((await readBody(request(at, { 'content-length': '10' }), 10)).ok).toBe(true);
    expect(await readBody(request(over, { 'content-length': '11' }), 10)).toMatchObject({ ok: false, status: 413 });
    expect((await readBody(request(new Blob([at]).stream()), 10)).ok).toBe(true);
    expect(await readBody(request(new Blob([over]).stream()), 10)).toMatchObject({ ok: false, status: 413 });
  });

  it('refuses a declared oversize body without reading it', async () => {
    const { stream, usage } = endlessStream(new Uint8Array(1024));
    const req = request(stream, { 'content-length': String(10 * 1024 * 1024) });
    expect(await readBody(req, 1024)).toMatchObject({ ok: false, status: 413 });
    expect(req.bodyUsed).toBe(false);
    expect(usage.pulled).toBeLessThanOrEqual(1);
  });

  it('stops reading a chunked body once it passes the limit and 4× the limit more was drained', async () => {
    const { stream, usage } = endlessStream(new Uint8Array(100));
    expect(await readBody(request(stream), 1000)).toMatchObject({ ok: false, status: 413 });
    expect(usage.cancelled).toBe(true);
    // 11 chunks pass the limit, 41 more pass the drain budget of 4000 bytes (a stream may pull ahead by one).
    expect(usage.pulled).toBeLessThanOrEqual(53);
  });

  it('reads the rest of an oversize chunked body within the drain budget, so the connection stays usable', async () => {
    let cancelled = false;
    const chunks = Array.from({ length: 30 }, () => new Uint8Array(100));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
      cancel() {
        cancelled = true;
      },
    });
    expect(await readBody(request(stream), 1000)).toMatchObject({ ok: false, status: 413 });
    expect(chunks).toEqual([]);
    expect(cancelled).toBe(false);
  });

  it.each(['abc', '-1', '1.5', '99999999999999999999'])('refuses Content-Length: %s', async (value) => {
    expect(await readBody(request('{}', { 'content-length': value }), 100)).toMatchObject({ ok: false, status: 400 });
  });

  it('refuses an empty or missing body', async () => {
    expect(await readBody(request(null), 100)).toMatchObject({ ok: false, status: 400 });
    expect(await readBody(request(new Uint8Array(0), { 'content-length': '0' }), 100)).toMatchObject({ status: 400 });
    expect(await readBody(request(new Uint8Array(0)), 100)).toMatchObject({ ok: false, status: 400 });
  });

  it('refuses bytes that are not UTF-8', async () => {
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80]]) {
      const bytes = Buffer.from([0x7b, 0x22, ...bad, 0x22, 0x7d]);
      expect(await readBody(request(bytes), 100)).toMatchObject({ ok: false, status: 400, message: /UTF-8/ });
    }
  });
});
