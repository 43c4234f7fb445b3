import { describe, expect, it } from 'vitest';
import { colorEnabled, createPaint } from './color.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('colour', () => {
  it.each([
    ['a terminal', {}, tty, true],
    ['a pipe', {}, pipe, false],
    ['a terminal with NO_COLOR', { NO_COLOR: '1' }, tty, false],
    ['a terminal with an empty NO_COLOR (unset, says no-color.org)', { NO_COLOR: '' }, tty, true],
    ['a pipe with FORCE_COLOR', { FORCE_COLOR: '1' }, pipe, true],
    ['a terminal with FORCE_COLOR=0', { FORCE_COLOR: '0' }, tty, false],
    ['a terminal with FORCE_COLOR=false', { FORCE_COLOR: 'false' }, tty, false],
    ['NO_COLOR and FORCE_COLOR: NO_COLOR wins', { NO_COLOR: '1', FORCE_COLOR: '1' }, tty, false],
    ['a dumb terminal', { TERM: 'dumb' }, tty, false],
  ])('%s: %s', (_name, env, output, expected) => {
    expect(colorEnabled(env, output)).toBe(expected);
  });

  it('paints with ANSI codes only when enabled, whatever process.stdout is', () => {
    expect(createPaint({}, tty)('red', '3')).toBe('\x1b[31m3\x1b[39m');
    expect(createPaint({ FORCE_COLOR: '1' }, pipe)('bold', 'ID')).toBe('\x1b[1mID\x1b[22m');
    expect(createPaint({}, pipe)('red', '3')).toBe('3');
    expect(createPaint({ NO_COLOR: '1' }, tty)('red', '3')).toBe('3');
  });
});
