import { BlockList, isIP } from 'node:net';
import type { Logger } from '@openim-sync/runtime';
import type { MiddlewareHandler } from 'hono';
import { errorBody } from '../responses.js';
import type { ClientAddress } from './client-address.js';

/** One entry of `ALLOWED_IPS`: a single address or a CIDR block. */
export interface AddressRule {
  address: string;
  family: 'ipv4' | 'ipv6';
  prefix?: number;
}

/** Parses `10.0.0.1`, `10.0.0.0/8`, `2001:db8::1`, `2001:db8::/32`, `::ffff:10.0.0.1`; undefined for anything else. */
export function parseAddressRule(entry: string): AddressRule | undefined {
  const [address = '', prefixText, extra] = entry.split('/');
  const version = isIP(address);
  // A zone id (fe80::1%eth0) names an interface of this host, not a client.
  if (extra !== undefined || version === 0 || address.includes('%')) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) return { address, family };
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix <= (version === 4 ? 32 : 128) ? { address, family, prefix } : undefined;
}

/** The IPv4-mapped block `::ffff:0:0/96`: every IPv4 client, as a dual-stack socket reports it. */
const MAPPED_IPV4 = '::ffff:0:0';

/**
 * Why an `ALLOWED_IPS` entry cannot be used, or undefined when it can. An IPv6
 * block wider than /96 that holds `::ffff:0:0/96` (`::ffff:10.0.0.0/8`, `::/0`)
 * would let every IPv4 client in: `net.BlockList` matches IPv4 peers against
 * the mapped range, and a prefix under 96 does not reach the IPv4 bits at all.
 */
export function addressRuleProblem(entry: string): string | undefined {
  const rule = parseAddressRule(entry);
  if (!rule) return `not an IP address or CIDR block: ${entry}`;
  if (rule.family === 'ipv6' && rule.prefix !== undefined && rule.prefix < 96) {
    const list = new BlockList();
    list.addSubnet(rule.address, rule.prefix, 'ipv6');
    if (list.check(MAPPED_IPV4, 'ipv6')) {
      return `${entry} holds every IPv4-mapped address (::ffff:0:0/96), so it would allow every IPv4 client: write IPv4 blocks as IPv4 (10.0.0.0/8), or a mapped one with a prefix of 96 or more (::ffff:10.0.0.0/104)`;
    }
  }
  return undefined;
}

/** True when the address may send callbacks. */
export type AllowList = (address: string | undefined) => boolean;

/**
 * Compiles the rules once, at start-up, into a `net.BlockList`: a lookup
 * costs the same for 1 rule or 1000, and IPv4-mapped IPv6 addresses
 * (`::ffff:10.0.0.1`, what a dual-stack socket reports for an IPv4 peer)
 * match IPv4 rules and the other way round.
 */
export function createAllowList(entries: readonly string[]): AllowList {
  const list = new BlockList();
  for (const entry of entries) {
    const rule = parseAddressRule(entry);
    if (!rule) throw new Error(`not an IP address or CIDR block: "${entry}"`);
    const problem = addressRuleProblem(entry);
    if (problem) throw new Error(problem);
    if (rule.prefix === undefined) list.addAddress(rule.address, rule.family);
    else list.addSubnet(rule.address, rule.prefix, rule.family);
  }
  return (address) => {
    const version = address ? isIP(address) : 0;
    return version !== 0 && list.check(address as string, version === 4 ? 'ipv4' : 'ipv6');
  };
}

/** Paths orchestrators probe from wherever they run: never behind the allow-list. */
const HEALTH_PATHS = new Set(['/healthz', '/readyz']);

/** Answers 403 (the five-field JSON) to clients outside the allow-list, before anything else runs. */
export function allowListMiddleware(
  allows: AllowList,
  clientAddress: ClientAddress,
  logger: Logger,
): MiddlewareHandler {
  return async (c, next) => {
    if (HEALTH_PATHS.has(c.req.path)) return next();
    const address = clientAddress(c);
    if (allows(address)) return next();
    const shown = address && isIP(address) !== 0 ? address : 'unknown';
    logger.warn({ status: 403, reason: 'ip', ip: shown }, 'client address not in ALLOWED_IPS');
    return c.json(errorBody(403, `client address ${shown} is not allowed (ALLOWED_IPS)`), 403);
  };
}
