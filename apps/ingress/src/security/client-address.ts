import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { Context } from 'hono';
import proxyaddr from 'proxy-addr';
import { addressRuleProblem } from './allow-list.js';

/** The address a request came from, or undefined when it cannot be told. */
export type ClientAddress = (c: Context) => string | undefined;

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

/** The peer of the TCP connection (@hono/node-server puts the IncomingMessage in `c.env`). */
export function socketAddress(c: Context): string | undefined {
  return (c.env as NodeBindings | undefined)?.incoming?.socket?.remoteAddress;
}

/** Names `proxy-addr` expands into ranges: 127.0.0.1/8 and ::1, 169.254.0.0/16 and fe80::/10, the private ranges. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Why a `TRUST_PROXY` entry cannot be used, or undefined when it can. The
 * count of proxies the variable once took (`true`, `2`) is refused: it believed
 * the N-th `X-Forwarded-For` entry from the right whoever sent the request, so
 * a client that reached the ingress directly chose its own address.
 */
export function trustedProxyProblem(entry: string): string | undefined {
  if (RANGE_NAMES.has(entry)) return undefined;
  if (/^(?:true|\d{1,2})$/i.test(entry)) {
    return 'a count of proxies is no longer taken (a client reaching the ingress directly could forge X-Forwarded-For): name the proxies, e.g. 10.0.0.5, 172.16.0.0/12 or loopback';
  }
  const problem = addressRuleProblem(entry);
  if (problem) return problem;
  try {
    proxyaddr.compile(entry);
  } catch {
    return `${entry} would trust every address`;
  }
  return undefined;
}

/**
 * How the allow-list finds the client. With no trusted proxy the socket's peer
 * is the client and `X-Forwarded-For` is ignored (anyone can send it). With
 * trusted proxies, `proxy-addr` walks from the socket leftwards through
 * `X-Forwarded-For` and stops at the first address that is not one of them:
 * a request whose peer is not a trusted proxy is that peer, whatever it wrote
 * in the header, and entries left of the first untrusted hop are never read.
 */
export function createClientAddress(trustedProxies: readonly string[]): ClientAddress {
  if (trustedProxies.length === 0) return socketAddress;
  const trust = proxyaddr.compile([...trustedProxies]);
  return (c) => {
    const remoteAddress = socketAddress(c);
    if (remoteAddress === undefined) return undefined;
    const forwardedFor = c.req.header('x-forwarded-for');
    // proxy-addr reads only these two fields of the request.
    const request = { headers: { 'x-forwarded-for': forwardedFor }, socket: { remoteAddress } };
    return normalizeHop(proxyaddr(request as unknown as IncomingMessage, trust));
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
