import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { exactPayloadText, MAX_JSON_DEPTH, nestingExceeds, parseJsonBody } from './json-body.js';

const readFixture = (name: string) => readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url));
const parse = (text: string) => parseJsonBody(Buffer.from(text));
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('parseJsonBody', () => {
  it('parses every captured OpenIM body', () => {
    for (const name of ['callbackAfterJoinGroupCommand', 'callbackAfterCreateGroupCommand', 'seed-member-join']) {
      const bytes = readFixture(name);
      expect(parseJsonBody(bytes), name).toEqual({ ok: true, value: JSON.parse(bytes.toString('utf8')) });
    }
  });

  it('refuses invalid JSON with the parser’s reason', () => {
    expect(parse('{"a":')).toMatchObject({ ok: false, reason: { message: /not valid JSON/ } });
    expect(parse('{"a":"\u0000"}')).toMatchObject({ ok: false, reason: { message: /not valid JSON/ } });
  });

  it(`accepts nesting up to ${MAX_JSON_DEPTH} levels and refuses deeper, without a stack overflow`, () => {
    expect(parse(nested(MAX_JSON_DEPTH))).toMatchObject({ ok: true });
    expect(parse(nested(MAX_JSON_DEPTH + 1))).toMatchObject({ ok: false, reason: { message: /deeper than 64/ } });
    expect(parse(nested(100_000))).toMatchObject({ ok: false, reason: { message: /deeper than 64/ } });
    expect(parse(`{"a":${'{"b":'.repeat(70)}1${'}'.repeat(70)}}`)).toMatchObject({ ok: false });
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(parse(JSON.stringify({ ex: '['.repeat(500), q: '\\"[[[[', r: '"{{{{' }))).toMatchObject({ ok: true });
  });

  it.each([
    ['__proto__ at the top', '{"__proto__":{"polluted":1},"groupID":"g"}'],
    ['constructor nested', '{"groupID":"g","x":{"constructor":{"prototype":{"polluted":1}}}}'],
    ['prototype in an array', '{"list":[{"prototype":1}]}'],
    ['__proto__ spelled with an escape', '{"\\u005f_proto__":{"polluted":1}}'],
    ['constructor spelled with escapes', '{"\\u0063onstructor":1}'],
  ])('refuses %s', (_label, body) => {
    const result = parse(body);
    expect(result).toMatchObject({ ok: false, reason: { message: /__proto__, constructor or prototype/ } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accepts the words as values', () => {
    const body = { groupID: 'g', reqMessage: '__proto__ constructor prototype', ex: '{"__proto__":1}' };
    expect(parse(JSON.stringify(body))).toEqual({ ok: true, value: body });
  });

  it('accepts NUL characters anywhere OpenIM can send them (client data, Go string(int32))', () => {
    expect(parse('{"groupID":"g\\u0000"}')).toEqual({ ok: true, value: { groupID: 'g\0' } });
    expect(parse('{"groupType":"\\u0000","a":["x",{"b":"\\u0000"}]}')).toEqual({
      ok: true,
      value: { groupType: '\0', a: ['x', { b: '\0' }] },
    });
    expect(parse('{"a\\u0000":1}')).toEqual({ ok: true, value: { 'a\0': 1 } });
  });

  it('tells garbage (not JSON) from JSON it cannot carry', () => {
    expect(parse('not json')).toMatchObject({ ok: false, reason: { code: 'syntax' } });
    expect(parse('{"__proto__":1}')).toMatchObject({ ok: false, reason: { code: 'unsafe' } });
    expect(parse(nested(MAX_JSON_DEPTH + 1))).toMatchObject({ ok: false, reason: { code: 'unsafe' } });
  });

  it('keeps Go’s \\u003c escapes (they only trigger the slower check)', () => {
    expect(parse('{"reqMessage":"\\u003cteam\\u003e \\u0026"}')).toEqual({
      ok: true,
      value: { reqMessage: '<team> &' },
    });
  });

  // Why the keys are refused: JSON.parse makes "__proto__" an own key, but
  // copying it with `[key] = value` (as some merge code and validators do)
  // replaces the copy's prototype.
  it('documents the hazard the refusal avoids', () => {
    const parsed = JSON.parse('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(parsed)) copy[key] = value;
    expect(copy.polluted).toBe(1);
    expect(Object.hasOwn(copy, 'polluted')).toBe(false);
    // zod's looseObject copes (it drops the key: no throw, no pollution), but the refusal does not rely on it.
    const result = z.looseObject({ a: z.string().optional() }).safeParse(parsed);
    expect(result.success).toBe(true);
    expect(Object.getPrototypeOf(result.data)).toBe(Object.prototype);
    expect((result.data as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('nestingExceeds', () => {
  it('is exact at the limit', () => {
    expect(nestingExceeds(nested(3), 3)).toBe(false);
    expect(nestingExceeds(nested(4), 3)).toBe(true);
    expect(nestingExceeds('[{}],[{}],[{}]', 2)).toBe(false);
  });

  it('skips brackets inside strings, escaped quotes and backslashes included', () => {
    expect(nestingExceeds('{"a":"[[[{{{","b":"\\"[[[[","c":"\\\\"}', 1)).toBe(false);
    expect(nestingExceeds('{"a":"\\\\","b":[[1]]}', 2)).toBe(true);
    expect(nestingExceeds('{"a":"[[[[', 1)).toBe(false);
  });
});

describe('exactPayloadText', () => {
  const text = (body: string) => exactPayloadText(Buffer.from(body));

  it('is undefined when every integer fits a double exactly', () => {
    expect(text('{"seq":9007199254740991,"sendTime":1713351839000,"ex":"9223372036854775807"}\n')).toBeUndefined();
    expect(text('{"a":1.2345678901234567}')).toBeUndefined();
  });

  it('is the trimmed body when an int64 would be rounded, in an object or a list, either sign', () => {
    for (const body of [
      '{"createTime":9223372036854775807}\n',
      '{"seqs":[1, -9223372036854775808]}',
      '{"a": 9007199254740993}',
    ]) {
      expect(text(body)).toBe(body.trim());
    }
  });
});
