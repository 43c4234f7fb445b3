import { isIP } from 'node:net';
import type { Context } from 'hono';

/** The address a request came from, or undefined when it cannot be told. */
export type ClientAddress = (c: Context) => string | undefined;

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

/** The peer of the TCP connection (@hono/node-server puts the IncomingMessage in `c.env`). */
export function socketAddress(c: Context): string | undefined {
  return (c.env as NodeBindings | undefined)?.incoming?.socket?.remoteAddress;
}

/**
 * How the allow-list finds the client. With `trustedProxies` 0 the socket's
 * peer is the client and `X-Forwarded-For` is ignored (anyone can send it).
 * With N trusted proxies in front, each appends the address it saw, so the
 * client is the N-th entry from the right; entries further left were written
 * by the client itself and are never believed (what Express calls
 * `trust proxy = N`).
 */
export function createClientAddress(trustedProxies: number): ClientAddress {
  if (trustedProxies === 0) return socketAddress;
  return (c) => {
    const forwarded = c.req.header('x-forwarded-for');
    if (!forwarded) return socketAddress(c);
    const hops = forwarded.split(',');
    return normalizeHop(hops[Math.max(hops.length - trustedProxies, 0)] ?? '');
  };
}

/** `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:443` → the bare address; anything else → undefined. */
export function normalizeHop(hop: string): string | undefined {
  let address = hop.trim();
  if (address.startsWith('[')) {
    const end = address.indexOf(']');
    if (end === -1) return undefined;
    address = address.slice(1, end);
  } else if (address.indexOf(':') !== -1 && address.indexOf(':') === address.lastIndexOf(':')) {
    address = address.slice(0, address.indexOf(':'));
  }
  return isIP(address) === 0 ? undefined : address;
}
