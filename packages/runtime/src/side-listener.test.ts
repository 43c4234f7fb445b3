import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type SideListener, startSideListener } from './side-listener.js';

const limits = { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300, maxConnections: 3 };

/** Opens a socket, writes `first`, and resolves with how long the server kept it open (ms). */
function openFor(port: number, first: string): Promise<{ socket: Socket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(first);
      socket.resume();
      const closed = new Promise<number>((done) => socket.on('close', () => done(Date.now() - started)));
      resolve({ socket, closed });
    });
    socket.on('error', () => {});
    socket.once('error', reject);
  });
}

describe('side listener limits', () => {
  let listener: SideListener | undefined;
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });

  it('closes a client that never finishes its headers', async () => {
    listener = await startSideListener(() => new Response('ok'), { port: 0, host: '127.0.0.1' }, limits);
    const { closed } = await openFor(listener.port, 'GET /metrics HTTP/1.1\r\nHost: x\r\n');
    // Node's default would hold it for a minute (headers) and check every 30 s.
    expect(await closed).toBeLessThan(5000);
  });

  it('closes connections beyond the cap at once and still serves within it', async () => {
    listener = await startSideListener(() => new Response('ok'), { port: 0, host: '127.0.0.1' }, limits);
    const port = listener.port;
    const holders = await Promise.all([1, 2, 3].map(() => openFor(port, 'GET / HTTP/1.1\r\n')));
    const extra = await openFor(port, 'GET / HTTP/1.1\r\n');
    const extraOpenMs = await extra.closed;
    const stillOpen = holders.filter((h) => !h.socket.destroyed).length;
    expect(extraOpenMs).toBeLessThan(limits.headersTimeoutMs);
    expect(stillOpen).toBe(3);
    for (const h of holders) h.socket.destroy();
    await Promise.all(holders.map((h) => h.closed));
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(await response.text()).toBe('ok');
  });
});
