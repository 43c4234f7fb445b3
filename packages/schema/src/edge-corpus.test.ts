import { describe, expect, it } from 'vitest';
import { edgeCorpus, TEXT } from './edge-corpus.test-helper.js';
import { goShapeProblems } from './go-shape.test-helper.js';
import { goStructs } from './go-structs.test-helper.js';
import { commandDefinitions, createCatalog } from './index.js';

// Every command accepts what OpenIM can send at the edges (empty strings, NUL,
// non-ASCII, Go's escapes, int64 extremes, 600-character ids, nil slices), and
// its event carries the body's strings unchanged.

const catalog = createCatalog();
const commands = commandDefinitions.map((d) => d.command);
const corpus = edgeCorpus(commands);

/** Every string in a parsed JSON value, keys excluded. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('edge corpus', () => {
  it('has cases for every command', () => {
    for (const command of commands)
      expect(
        corpus.some((c) => c.command === command),
        command,
      ).toBe(true);
  });

  describe.each(corpus)('$command: $name', ({ command, bytes }) => {
    const body = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;

    it('is what Go writes for the struct, with values OpenIM can send', () => {
      const spec = goStructs[command];
      expect(goShapeProblems(body, spec?.fields ?? [])).toEqual([]);
      expect(body).toMatchObject(spec?.fixed ?? {});
      expect(bytes.toString('utf8')).not.toMatch(/[<>&\u2028]/);
    });

    it('is accepted, and its event holds the body’s strings unchanged', () => {
      const result = catalog.check(command, body);
      if (!result.ok) throw new Error(result.reason.detail || result.reason.message);
      const { type, ...fields } = result.value.event;
      const sent = new Set(strings(body));
      expect(strings(fields).filter((s) => !sent.has(s))).toEqual([]);
      if (sent.has(TEXT)) expect(strings(fields)).toContain(TEXT);
    });
  });
});
