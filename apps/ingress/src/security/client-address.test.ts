import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createClientAddress, normalizeHop, trustedProxyProblem } from './client-address.js';

/** Runs `clientAddress` inside a request with the given socket peer and headers. */
async function resolve(trusted: string[], socket: string | undefined, headers: Record<string, string> = {}) {
  const clientAddress = createClientAddress(trusted);
  const app = new Hono();
  app.get('/', (c) => c.json({ address: clientAddress(c) ?? null }));
  const env = socket === undefined ? undefined : { incoming: { socket: { remoteAddress: socket } } };
  const response = await app.request('/', { headers }, env);
  return ((await response.json()) as { address: string | null }).address;
}

describe('createClientAddress', () => {
  it('is the socket peer, X-Forwarded-For ignored, when no proxy is trusted', async () => {
    expect(await resolve([], '10.0.0.5')).toBe('10.0.0.5');
    expect(await resolve([], '10.0.0.5', { 'x-forwarded-for': '1.2.3.4' })).toBe('10.0.0.5');
    expect(await resolve([], undefined)).toBeNull();
  });

  it('behind a trusted proxy, takes the entry that proxy appended (the rightmost)', async () => {
    const headers = { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' };
    expect(await resolve(['10.0.0.2'], '10.0.0.2', headers)).toBe('203.0.113.9');
    expect(await resolve(['10.0.0.0/8'], '::ffff:10.0.0.2', headers)).toBe('203.0.113.9');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy (no forging by going direct)', async () => {
    const headers = { 'x-forwarded-for': '10.0.0.3' };
    expect(await resolve(['10.0.0.2'], '198.51.100.7', headers)).toBe('198.51.100.7');
    expect(await resolve(['10.0.0.0/8'], '::ffff:198.51.100.7', headers)).toBe('::ffff:198.51.100.7');
    expect(await resolve(['loopback'], '198.51.100.7', headers)).toBe('198.51.100.7');
  });

  it('walks through every trusted hop and stops at the first untrusted one', async () => {
    const headers = { 'x-forwarded-for': '6.6.6.6, 203.0.113.9, 10.0.0.3' };
    expect(await resolve(['10.0.0.0/8'], '10.0.0.2', headers)).toBe('203.0.113.9');
    expect(await resolve(['10.0.0.2'], '10.0.0.2', headers)).toBe('10.0.0.3');
    expect(await resolve(['uniquelocal'], '192.168.1.1', headers)).toBe('203.0.113.9');
  });

  it('takes the leftmost entry when every hop is trusted', async () => {
    expect(await resolve(['10.0.0.0/8'], '10.0.0.2', { 'x-forwarded-for': '10.0.0.9, 10.0.0.3' })).toBe('10.0.0.9');
  });

  it('falls back to the socket when the header is missing', async () => {
    expect(await resolve(['10.0.0.2'], '10.0.0.2')).toBe('10.0.0.2');
  });

  it('reads the address as undefined when the chosen entry is garbage', async () => {
    expect(await resolve(['10.0.0.2'], '10.0.0.2', { 'x-forwarded-for': '10.0.0.1, evil' })).toBeNull();
    expect(await resolve(['10.0.0.2'], undefined, { 'x-forwarded-for': '10.0.0.1' })).toBeNull();
  });

  it('strips the port a proxy appended to the client address', async () => {
    expect(await resolve(['10.0.0.2'], '10.0.0.2', { 'x-forwarded-for': '203.0.113.9:5678' })).toBe('203.0.113.9');
  });
});

describe('trustedProxyProblem', () => {
  it.each(['10.0.0.2', '10.0.0.0/8', '2001:db8::/32', '::1', 'loopback', 'linklocal', 'uniquelocal'])(
    'takes %s',
    (entry) => {
      expect(trustedProxyProblem(entry)).toBeUndefined();
    },
  );

  it.each([
    ['true', /count of proxies is no longer taken/],
    ['1', /count of proxies is no longer taken/],
    ['2', /count of proxies is no longer taken/],
    ['0.0.0.0/0', /would trust every address/],
    ['::ffff:10.0.0.0/8', /every IPv4 client/],
    ['proxy.internal', /not an IP address or CIDR block/],
    ['0x0a.0.0.1', /not an IP address or CIDR block/],
  ])('refuses %s', (entry, reason) => {
    expect(trustedProxyProblem(entry)).toMatch(reason);
  });
});

describe('normalizeHop', () => {
  it.each([
    [' 203.0.113.9 ', '203.0.113.9'],
    ['203.0.113.9:5678', '203.0.113.9'],
    ['2001:db8::1', '2001:db8::1'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
    ['unknown', undefined],
    ['', undefined],
    ['[2001:db8::1', undefined],
    ['1.2.3.4.5', undefined],
  ])('%j → %j', (hop, address) => {
    expect(normalizeHop(hop)).toBe(address);
  });
});
