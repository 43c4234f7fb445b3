import type { Duplex } from 'node:stream';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/**
 * `clientError` listener of the HTTP server: a request Node's parser refuses
 * (a malformed Content-Length, bad header bytes, headers over 16 KiB) never
 * reaches the app, and Node's default answer has no body. OpenIM reads only
 * the JSON body, so answer these with the same five fields as everything else.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify({
    actionCode: 0,
    errCode: status,
    errMsg: `malformed HTTP request (${err.code ?? 'parse error'})`,
    errDlt: '',
    nextCode: 0,
  });
  // Closed once the answer is handed to the kernel: a client that never closes its side (a slow
  // or hostile one cut off by HTTP_HEADERS_TIMEOUT_MS) must not keep holding the socket.
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
