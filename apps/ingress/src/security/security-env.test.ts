import { ConfigError } from '@openim-sync/runtime';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';

const TOKEN = 'aB3-xY9_kL2.mN7~pQ5';

function problems(source: Record<string, string>): string[] {
  try {
    loadConfig(source);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('loadConfig did not throw');
}

describe('security variables', () => {
  it('are off by default', () => {
    expect(loadConfig({}).security).toEqual({ allowedIps: [], trustedProxies: [] });
  });

  it('reads all three', () => {
    const config = loadConfig({
      CALLBACK_TOKEN: TOKEN,
      ALLOWED_IPS: ' 10.0.0.0/8, ::1 ,',
      TRUST_PROXY: '172.16.0.0/12, 10.0.0.5,loopback',
    });
    expect(config.security).toEqual({
      callbackToken: TOKEN,
      allowedIps: ['10.0.0.0/8', '::1'],
      trustedProxies: ['172.16.0.0/12', '10.0.0.5', 'loopback'],
    });
  });

  it.each(['false', 'FALSE', '0'])('reads TRUST_PROXY=%s as no trusted proxy', (value) => {
    expect(loadConfig({ TRUST_PROXY: value }).security.trustedProxies).toEqual([]);
  });

  // A count believed the N-th X-Forwarded-For entry from the right, even from a client that came directly.
  it.each(['true', 'TRUE', '1', '3'])('refuses the count TRUST_PROXY=%s, naming what to write instead', (value) => {
    expect(problems({ TRUST_PROXY: value })).toEqual([
      expect.stringMatching(/^TRUST_PROXY=.*count of proxies is no longer taken.*name the proxies/),
    ]);
  });

  it.each(['yes', '-1', '10.0.0.0/33', '0.0.0.0/0', '::ffff:0:0/64', '10.0.0.1,proxy.internal'])(
    'refuses TRUST_PROXY=%s',
    (value) => {
      expect(problems({ TRUST_PROXY: value })).toEqual([expect.stringMatching(/^TRUST_PROXY=/)]);
    },
  );

  it('refuses a short CALLBACK_TOKEN without printing it', () => {
    const short = 'hunter2-short';
    const found = problems({ CALLBACK_TOKEN: short });
    expect(found).toEqual(['CALLBACK_TOKEN: must be at least 16 characters (e.g. `openssl rand -hex 32`)']);
    expect(found.join('\n')).not.toContain(short);
  });

  it.each(['has/a/slash-0123456789', 'has space 0123456789', 'percent%20encoded-0123', 'ünïcödé-0123456789ab'])(
    'refuses CALLBACK_TOKEN with characters a path segment cannot carry as is (%#)',
    (token) => {
      const found = problems({ CALLBACK_TOKEN: token });
      expect(found).toEqual([expect.stringMatching(/^CALLBACK_TOKEN: may hold only letters, digits/)]);
      expect(found.join('\n')).not.toContain(token);
    },
  );

  it('keeps the token out of a report about other variables', () => {
    const message = (() => {
      try {
        loadConfig({ CALLBACK_TOKEN: TOKEN, PORT: 'abc', ALLOWED_IPS: '10.0.0.0/8,nope' });
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(message).toContain('PORT="abc"');
    expect(message).toContain('ALLOWED_IPS="10.0.0.0/8,nope": not an IP address or CIDR block: nope');
    expect(message).not.toContain(TOKEN);
  });

  it.each(['10.0.0.0/33', 'example.com', '10.0.0.1-10.0.0.9', ',,'])('refuses ALLOWED_IPS=%s', (value) => {
    expect(problems({ ALLOWED_IPS: value })).toEqual([expect.stringMatching(/^ALLOWED_IPS=/)]);
  });

  // net.BlockList matches IPv4 peers against the mapped range: a prefix under 96 never reaches the IPv4 bits.
  it.each(['::ffff:10.0.0.0/8', '::ffff:0:0/95', '::/0', '10.0.0.0/8,::/64'])(
    'refuses ALLOWED_IPS=%s, which would allow every IPv4 client',
    (value) => {
      expect(problems({ ALLOWED_IPS: value })).toEqual([
        expect.stringMatching(/^ALLOWED_IPS=.*holds every IPv4-mapped address .*allow every IPv4 client/),
      ]);
    },
  );

  it.each(['::ffff:10.0.0.0/104', '::ffff:0:0/96', '2001:db8::/32', '::1/128'])('takes ALLOWED_IPS=%s', (value) => {
    expect(loadConfig({ ALLOWED_IPS: value }).security.allowedIps).toEqual([value]);
  });
});
