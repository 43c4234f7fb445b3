import { describe, expect, it } from 'vitest';
import { TEXT_REPLACEMENT, toPgParam, toPgText } from './pg-text.js';

describe('toPgText', () => {
  it('replaces each NUL by U+FFFD, the same way every time', () => {
    expect(TEXT_REPLACEMENT).toBe('\uFFFD');
    expect(toPgText('a\u0000b\u0000\u0000')).toBe('a\uFFFDb\uFFFD\uFFFD');
    expect(toPgText(toPgText('a\u0000'))).toBe('a\uFFFD');
  });

  it('replaces a lone surrogate, as the driver would, and keeps pairs', () => {
    expect(toPgText('x\uD800y\uDC00')).toBe('x\uFFFDy\uFFFD');
    expect(toPgText('😀 ok')).toBe('😀 ok');
  });

  it('returns text without either unchanged', () => {
    const text = 'plain <text> & ünïcode';
    expect(toPgText(text)).toBe(text);
  });
});

describe('toPgParam', () => {
  it('makes strings storable in arrays (the unnest columns) and leaves other values alone', () => {
    expect(toPgParam(['a\u0000', null, ['b\u0000']])).toEqual(['a\uFFFD', null, ['b\uFFFD']]);
    expect(toPgParam(42)).toBe(42);
    expect(toPgParam(null)).toBe(null);
  });
});
