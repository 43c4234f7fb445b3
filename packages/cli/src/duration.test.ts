import { describe, expect, it } from 'vitest';
import { parseLimit, parseSince } from './duration.js';

const now = Date.parse('2026-11-25T12:00:00.000Z');

describe('parseSince', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 15 * 60_000],
    ['1h', 3_600_000],
    ['2d', 2 * 86_400_000],
    ['0s', 0],
  ])('reads the duration %s back from now', (value, ms) => {
    expect(parseSince(value, now)).toEqual({ ok: true, value: now - ms });
  });

  it.each([
    ['2026-11-25T10:00:00Z', '2026-11-25T10:00:00.000Z'],
    ['2026-11-25T10:00:00.250Z', '2026-11-25T10:00:00.250Z'],
    ['2026-11-25T10:00:00+01:00', '2026-11-25T09:00:00.000Z'],
    ['2026-11-25T10:00', '2026-11-25T10:00:00.000Z'],
    ['2026-11-25 10:00:00', '2026-11-25T10:00:00.000Z'],
    ['2026-11-25', '2026-11-25T00:00:00.000Z'],
  ])('reads the ISO time %s (UTC without a zone)', (value, iso) => {
    expect(parseSince(value, now)).toEqual({ ok: true, value: Date.parse(iso) });
  });

  it.each([
    'banana',
    '',
    '1',
    'h',
    '1.5h',
    '-1h',
    '1w',
    '1 h',
    '2026-13-01',
    '2026-11-25T25:00Z',
    'yesterday',
    `${'9'.repeat(100)}s`,
  ])('rejects %j with a message naming the flag', (value) => {
    const result = parseSince(value, now);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/^--since ".*": expected a duration/);
  });
});

describe('parseLimit', () => {
  it('accepts positive whole numbers', () => {
    expect(parseLimit('1')).toEqual({ ok: true, value: 1 });
    expect(parseLimit('100000')).toEqual({ ok: true, value: 100_000 });
  });

  it.each(['0', '-1', '1.5', 'ten', '', '1e3', '99999999999999999999'])('rejects %j', (value) => {
    expect(parseLimit(value)).toEqual({ ok: false, message: `--limit "${value}": expected a positive whole number` });
  });
});
