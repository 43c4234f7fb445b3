import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads units, bare milliseconds and zero', () => {
    const read = ['0', '500', '500ms', '30s', '15m', '6h', '1d', ' 1.5h ', '2 hours'].map(parseDuration);
    expect(read).toEqual([0, 500, 500, 30_000, 900_000, 21_600_000, 86_400_000, 5_400_000, 7_200_000]);
  });

  it('refuses what is not a duration, and negative ones', () => {
    for (const text of ['', ' ', 'soon', '15 parsecs', '-5m', '1e400', 'm'])
      expect(parseDuration(text), text).toBe(undefined);
  });
});
