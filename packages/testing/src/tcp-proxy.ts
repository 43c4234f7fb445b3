import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** The service's URL with the proxy's address in place of the service's. */
  url: string;
  /** Connections cut or refused while down. */
  cut: number;
  /** Cuts every open connection and closes each new one at once, until `up()`. */
  down(): void;
  up(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a service the test cannot stop (the shared
 * Postgres): while down, it behaves like a crashed server, so clients see
 * their connections reset and new ones closed.
 */
export async function startTcpProxy(serviceUrl: string): Promise<TcpProxy> {
  const target = new URL(serviceUrl);
  const host = target.hostname;
  const port = Number(target.port || { 'postgres:': 5432, 'postgresql:': 5432, 'redis:': 6379 }[target.protocol]);
  const open = new Set<Socket>();
  let isDown = false;
  const proxy: TcpProxy = {
    port: 0,
    url: '',
    cut: 0,
    down() {
      isDown = true;
      for (const socket of open) socket.destroy();
      proxy.cut += open.size;
      open.clear();
    },
    up() {
      isDown = false;
    },
    close: async () => {},
  };
  const server = createServer((client) => {
    if (isDown) {
      proxy.cut++;
      client.destroy();
      return;
    }
    const upstream = connect({ host, port });
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  proxy.port = (server.address() as AddressInfo).port;
  target.hostname = '127.0.0.1';
  target.port = String(proxy.port);
  proxy.url = target.toString();
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of open) socket.destroy();
      server.close(() => resolve());
    });
  return proxy;
}
