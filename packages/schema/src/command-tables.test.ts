import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commandDefinitions, createCatalog } from './index.js';

// The catalog, the fixtures on disk and the "Supported commands" tables of
// docs/openim-compatibility.md must list the same commands, so none of the three can drift.

interface Row {
  command: string;
  aliases: string[];
  event: string | undefined;
}

/**
 * The rows of the tables that follow the "Supported commands" line, up to the
 * next heading. The first backticked name of a row's first cell is the
 * command, the others (in "(v3.6: `...`)") its aliases; the first backticked
 * name of the second cell is the event type.
 */
function supportedCommandRows(markdown: string): Row[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^(#+\s+)?Supported commands\b/.test(line));
  if (start < 0) throw new Error('no "Supported commands" section');
  const rows: Row[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    if (!line.startsWith('|')) continue;
    const [first = '', second = ''] = line.split('|').slice(1, -1);
    const [command, ...aliases] = [...first.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    if (!command || !/^callback/i.test(command)) continue;
    rows.push({ command, aliases, event: /`([^`]+)`/.exec(second)?.[1] });
  }
  return rows;
}

const doc = readFileSync(new URL('../../../docs/openim-compatibility.md', import.meta.url), 'utf8');
const rows = supportedCommandRows(doc);
const fixtureCommands = readdirSync(new URL('../fixtures/', import.meta.url))
  .filter((file) => file.startsWith('callback') && file.endsWith('.json'))
  .map((file) => file.slice(0, -'.json'.length));
const catalogCommands = commandDefinitions.map((d) => d.command);

describe('supported commands in docs/openim-compatibility.md', () => {
  it('reads command, aliases and event from a table row', () => {
    const sample = [
      'Supported commands:',
      '',
      '| command (aliases) | event | what |',
      '| --- | --- | --- |',
      '| `callbackAfterXCommand` (v3.6: `callbackXCommand`; v3.5: `callbackXAfter`) | `x.done` (`a: 1`) | `t`: y |',
      '| `callbackAfterYCommand` (docs form) | `y.done` | z |',
      '',
      '## Next',
      '| `callbackAfterZCommand` | `z.done` | after the section |',
    ].join('\n');
    expect(supportedCommandRows(sample)).toEqual([
      { command: 'callbackAfterXCommand', aliases: ['callbackXCommand', 'callbackXAfter'], event: 'x.done' },
      { command: 'callbackAfterYCommand', aliases: [], event: 'y.done' },
    ]);
    expect(() => supportedCommandRows('# Nothing here')).toThrow(/Supported commands/);
  });

  it('lists exactly the catalog commands, in catalog order (grouped by category), once each', () => {
    expect(rows.map((r) => r.command)).toEqual(catalogCommands);
  });

  it('lists exactly the commands that have a fixture', () => {
    expect([...rows.map((r) => r.command)].sort()).toEqual([...fixtureCommands].sort());
    expect([...fixtureCommands].sort()).toEqual([...catalogCommands].sort());
  });

  it.each(commandDefinitions.map((d) => [d.command, d] as const))('%s: aliases and event match', (command, d) => {
    const row = rows.find((r) => r.command === command);
    expect(row?.aliases.sort()).toEqual([...d.aliases].sort());
    const body = JSON.parse(readFileSync(new URL(`../fixtures/${command}.json`, import.meta.url), 'utf8'));
    const result = createCatalog().check(command, body);
    expect(result.ok && result.value.event.type).toBe(row?.event);
  });
});
