import { describe, expect, it } from 'vitest';
import { int64String, parseJsonLossless } from './json.js';

describe('parseJsonLossless', () => {
  it('keeps integers above 2^53 exact, as strings', () => {
    const text = '{"groupMemberListHash":18446744073709551615,"n":9007199254740993,"safe":9007199254740991}';
    expect(JSON.parse(text).groupMemberListHash).toBe(18446744073709552000); // what a plain parse does
    expect(parseJsonLossless(text)).toEqual({
      groupMemberListHash: '18446744073709551615',
      n: '9007199254740993',
      safe: 9007199254740991,
    });
  });

  it('leaves strings, fractions, exponents and negative numbers alone', () => {
    const text =
      '{"s":"12345678901234567890","q":"a\\"18446744073709551615","f":1.12345678901234567890,' +
      '"e":1e12345678901234567,"m":-18446744073709551615,"a":[18446744073709551615, 2]}';
    const parsed = parseJsonLossless(text) as Record<string, unknown>;
    expect(parsed.s).toBe('12345678901234567890');
    expect(parsed.q).toBe('a"18446744073709551615');
    expect(parsed.f).toBeCloseTo(1.1234567890123457);
    expect(parsed.e).toBe(Number.POSITIVE_INFINITY);
    expect(parsed.m).toBe('-18446744073709551615');
    expect(parsed.a).toEqual(['18446744073709551615', 2]);
  });

  it('parses what JSON.parse parses, and rejects what it rejects', () => {
    const text = '{"errCode":0,"errMsg":"","data":{"members":null,"total":0}}';
    expect(parseJsonLossless(text)).toEqual(JSON.parse(text));
    expect(() => parseJsonLossless('404 page not found')).toThrow(SyntaxError);
  });

  it('lets the last of two equal keys win, and keeps __proto__ an own key, as JSON.parse does', () => {
    const text = '{"total":1,"total":2,"__proto__":{"polluted":1}}';
    const parsed = parseJsonLossless(text) as Record<string, unknown>;
    expect(parsed).toEqual(JSON.parse(text));
    expect(parsed.total).toBe(2);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
  });
});

describe('int64String', () => {
  it('reads small and large integers alike', () => {
    expect(int64String(42)).toBe('42');
    expect(int64String('18446744073709551615')).toBe('18446744073709551615');
    expect(int64String(10n)).toBe('10');
    expect(int64String(1.5)).toBeUndefined();
    expect(int64String(null)).toBeUndefined();
  });
});
