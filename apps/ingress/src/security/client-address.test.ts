import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createClientAddress, normalizeHop } from './client-address.js';

/** Runs `clientAddress` inside a request with the given socket peer and headers. */
async function resolve(trustedProxies: number, socket: string | undefined, headers: Record<string, string> = {}) {
  const clientAddress = createClientAddress(trustedProxies);
  const app = new Hono();
  app.get('/', (c) => c.json({ address: clientAddress(c) ?? null }));
  const env = socket === undefined ? undefined : { incoming: { socket: { remoteAddress: socket } } };
  const response = await app.request('/', { headers }, env);
  return ((await response.json()) as { address: string | null }).address;
}

describe('createClientAddress', () => {
  it('is the socket peer, X-Forwarded-For ignored, when no proxy is trusted', async () => {
    expect(await resolve(0, '10.0.0.5')).toBe('10.0.0.5');
    expect(await resolve(0, '10.0.0.5', { 'x-forwarded-for': '1.2.3.4' })).toBe('10.0.0.5');
    expect(await resolve(0, undefined)).toBeNull();
  });

  it('with one proxy, takes the entry that proxy appended (the rightmost)', async () => {
    const headers = { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' };
    expect(await resolve(1, '10.0.0.2', headers)).toBe('203.0.113.9');
  });

  it('with two proxies, takes the second entry from the right', async () => {
    const headers = { 'x-forwarded-for': '6.6.6.6, 203.0.113.9, 10.0.0.3' };
    expect(await resolve(2, '10.0.0.2', headers)).toBe('203.0.113.9');
  });

  it('takes the leftmost entry when there are fewer entries than proxies', async () => {
    expect(await resolve(3, '10.0.0.2', { 'x-forwarded-for': '203.0.113.9, 10.0.0.3' })).toBe('203.0.113.9');
  });

  it('falls back to the socket when the header is missing', async () => {
    expect(await resolve(1, '10.0.0.2')).toBe('10.0.0.2');
  });

  it('reads the address as undefined when the chosen entry is garbage', async () => {
    expect(await resolve(1, '10.0.0.2', { 'x-forwarded-for': '10.0.0.1, evil' })).toBeNull();
    expect(await resolve(1, '10.0.0.2', { 'x-forwarded-for': '10.0.0.1,' })).toBeNull();
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
