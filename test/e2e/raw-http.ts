// HTTP clients for requests fetch() cannot express: chunked bodies, wrong
// framing, raw bytes in the request line. Each request uses its own
// connection, so a refused one cannot disturb the next.
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpRequestSpec {
  method?: string;
  path: string;
  headers?: Record<string, string | number>;
  /** Bytes sent with their Content-Length (unless headers say otherwise), or a stream sent chunked. */
  body?: Buffer | string | Readable;
}

/**
 * One request over node:http on a fresh connection. The connection is
 * keep-alive, as OpenIM's Go client uses it: with `Connection: close` the
 * server closes right after a 413 and the client can lose the answer to a
 * reset while it still writes the body (normal HTTP/1.1 behaviour).
 */
export function httpRequest(port: number, { method = 'POST', path, headers = {}, body }: HttpRequestSpec) {
  return new Promise<RawResponse>((resolve, reject) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        agent.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() });
      });
      res.on('error', reject);
    });
    req.on('error', (err) => {
      agent.destroy();
      reject(err);
    });
    if (body instanceof Readable) {
      body.on('error', () => {});
      body.pipe(req);
    } else {
      req.end(body);
    }
  });
}

/** Writes `bytes` to a fresh TCP connection as they are and parses the answer (the server must close it). */
export function rawRequest(port: number, bytes: Buffer | string) {
  return new Promise<RawResponse>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}

/** A stream of `total` bytes of `fill`, handed out in chunks (sent with Transfer-Encoding: chunked). */
export function chunkedBody(total: number, chunkSize = 16 * 1024, fill = 0x20): Readable {
  let left = total;
  return new Readable({
    read() {
      if (left <= 0) return this.push(null);
      const size = Math.min(chunkSize, left);
      left -= size;
      this.push(Buffer.alloc(size, fill));
    },
  });
}

/** The resident set size of a process in bytes (Linux). */
export async function residentBytes(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}
