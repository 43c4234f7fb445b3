import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { answerClientError } from './client-error.js';

function answer(code: string | undefined, writable = true) {
  // No autoDestroy: like a socket whose client never closes its side, it stays open unless destroyed.
  const socket = new PassThrough({ autoDestroy: false });
  const written: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => written.push(chunk));
  if (!writable) socket.end();
  const err = Object.assign(new Error('parse error'), code === undefined ? {} : { code });
  answerClientError(err, socket);
  return { socket, text: () => Buffer.concat(written).toString() };
}

describe('answerClientError', () => {
  it.each([
    ['HPE_INVALID_CONTENT_LENGTH', 400],
    ['HPE_INVALID_URL', 400],
    ['HPE_HEADER_OVERFLOW', 431],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408],
    [undefined, 400],
  ])('answers %s with %i and the five-field JSON, then closes', async (code, status) => {
    const { socket, text } = answer(code);
    await new Promise((resolve) => setImmediate(resolve));
    const [head = '', body = ''] = text().split('\r\n\r\n');
    expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(head).toContain('Connection: close');
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
    expect(JSON.parse(body)).toEqual({
      actionCode: 0,
      errCode: status,
      errMsg: `malformed HTTP request (${code ?? 'parse error'})`,
      errDlt: '',
      nextCode: 0,
    });
    expect(socket.writableEnded).toBe(true);
    // Closed too, so a client that ignores the end cannot keep the socket.
    await vi.waitFor(() => expect(socket.destroyed).toBe(true));
  });

  it('only closes a connection the client reset', () => {
    const { socket, text } = answer('ECONNRESET');
    expect(socket.destroyed).toBe(true);
    expect(text()).toBe('');
  });
});
