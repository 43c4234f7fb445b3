import { describe, expect, it } from 'vitest';
import { exposureWarning, isLoopbackHost } from './exposure.js';

const open = { allowedIps: [], trustedProxies: [] };

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['[::1]', true],
    ['localhost', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.5', false],
    ['ingress.internal', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('exposureWarning', () => {
  it('warns when listening beyond loopback with neither a token nor an allow-list', () => {
    expect(exposureWarning('0.0.0.0', open)).toMatch(/HOST=0\.0\.0\.0.*neither CALLBACK_TOKEN nor ALLOWED_IPS/);
    expect(exposureWarning('::', open)).toMatch(/anyone who reaches it can post callbacks/);
  });

  it('is quiet on loopback, with a token, or with an allow-list', () => {
    expect(exposureWarning('127.0.0.1', open)).toBeUndefined();
    expect(exposureWarning('0.0.0.0', { ...open, callbackToken: 'x'.repeat(32) })).toBeUndefined();
    expect(exposureWarning('0.0.0.0', { ...open, allowedIps: ['10.0.0.0/8'] })).toBeUndefined();
  });
});
