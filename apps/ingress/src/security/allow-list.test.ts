import { describe, expect, it } from 'vitest';
import { createAllowList, parseAddressRule } from './allow-list.js';

describe('parseAddressRule', () => {
  it.each([
    ['10.0.0.1', { address: '10.0.0.1', family: 'ipv4' }],
    ['10.0.0.0/8', { address: '10.0.0.0', family: 'ipv4', prefix: 8 }],
    ['0.0.0.0/0', { address: '0.0.0.0', family: 'ipv4', prefix: 0 }],
    ['2001:db8::1', { address: '2001:db8::1', family: 'ipv6' }],
    ['2001:db8::/32', { address: '2001:db8::', family: 'ipv6', prefix: 32 }],
    ['::ffff:10.0.0.1', { address: '::ffff:10.0.0.1', family: 'ipv6' }],
    ['::1/128', { address: '::1', family: 'ipv6', prefix: 128 }],
  ])('reads %s', (entry, rule) => {
    expect(parseAddressRule(entry)).toEqual(rule);
  });

  it.each([
    '',
    'localhost',
    '10.0.0',
    '10.0.0.256',
    '010.0.0.1',
    '10.0.0.0/33',
    '10.0.0.0/',
    '10.0.0.0/-1',
    '10.0.0.0/8/8',
    '10.0.0.0/0x8',
    '2001:db8::/129',
    'fe80::1%eth0',
    '10.0.0.1 ',
  ])('refuses %j', (entry) => {
    expect(parseAddressRule(entry)).toBeUndefined();
  });
});

describe('createAllowList', () => {
  const allows = createAllowList(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32', '::1']);

  it.each([
    ['10.1.2.3', true],
    ['11.0.0.1', false],
    ['192.168.1.7', true],
    ['192.168.1.8', false],
    ['2001:db8:1::5', true],
    ['2001:db9::5', false],
    ['::1', true],
    ['127.0.0.1', false],
    // What a dual-stack socket reports for an IPv4 peer.
    ['::ffff:10.9.9.9', true],
    ['::ffff:192.168.1.7', true],
    ['::ffff:11.0.0.1', false],
  ])('%s → %s', (address, allowed) => {
    expect(allows(address)).toBe(allowed);
  });

  it('refuses an unknown or malformed address', () => {
    expect(allows(undefined)).toBe(false);
    expect(allows('')).toBe(false);
    expect(allows('not-an-ip')).toBe(false);
    expect(allows('10.0.0.1, 10.0.0.2')).toBe(false);
  });

  it('matches an IPv4 peer against an IPv4-mapped rule', () => {
    const mapped = createAllowList(['::ffff:10.0.0.1']);
    expect(mapped('10.0.0.1')).toBe(true);
    expect(mapped('::ffff:10.0.0.1')).toBe(true);
    expect(mapped('10.0.0.2')).toBe(false);
  });

  it('throws on a bad entry (config validation catches it first)', () => {
    expect(() => createAllowList(['10.0.0.0/8', 'nope'])).toThrow(/"nope"/);
  });

  it('throws on an IPv6 block that holds the whole IPv4-mapped range', () => {
    expect(() => createAllowList(['::ffff:10.0.0.0/8'])).toThrow(/every IPv4 client/);
    expect(() => createAllowList(['::/0'])).toThrow(/every IPv4 client/);
    const mapped = createAllowList(['::ffff:10.0.0.0/104']);
    expect(mapped('10.1.2.3')).toBe(true);
    expect(mapped('11.1.2.3')).toBe(false);
    expect(mapped('::ffff:11.1.2.3')).toBe(false);
  });
});
