import { isIP } from 'node:net';
import type { SecuritySettings } from './security-env.js';

/** True for an address that only this host can reach: 127.0.0.0/8, ::1, `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const address = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (address === 'localhost') return true;
  if (isIP(address) === 4) return address.startsWith('127.');
  if (isIP(address) === 6) return address === '::1' || /^::ffff:127\./.test(address);
  return false;
}

/**
 * The warning to log at start when the callback listener can be reached from
 * other hosts and nothing tells OpenIM from anyone else (OpenIM signs nothing):
 * anyone who reaches the port could then post callbacks. Undefined otherwise.
 */
export function exposureWarning(host: string, security: SecuritySettings): string | undefined {
  if (isLoopbackHost(host) || security.callbackToken !== undefined || security.allowedIps.length > 0) return undefined;
  return (
    `the callback listener is reachable beyond this host (HOST=${host}) with neither CALLBACK_TOKEN nor ALLOWED_IPS set: ` +
    'anyone who reaches it can post callbacks; set one of them (see docs/security.md)'
  );
}
