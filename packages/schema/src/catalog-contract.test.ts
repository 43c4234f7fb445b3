import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commandDefinitions, createCatalog, eventGroupID, findCommand } from './index.js';

// What every catalog entry promises, checked against its fixture.
const readBody = (command: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/${command}.json`, import.meta.url), 'utf8'));
const catalog = createCatalog();
const commands = commandDefinitions.map((d) => d.command);

/** Paths in `value` whose value is `undefined`: a normalised event says `null` instead. */
function undefinedPaths(value: unknown, path = 'event'): string[] {
  if (value === undefined) return [path];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => undefinedPaths(inner, `${path}.${key}`));
}

describe.each(commands)('%s', (command) => {
  const definition = findCommand(command);
  if (!definition) throw new Error(`${command} is not in the catalog`);
  const body = readBody(command);

  it('normalises its fixture to an event without undefined fields', () => {
    const result = catalog.check(command, body);
    if (!result.ok) throw new Error(result.reason.message);
    expect(result.value.definition).toBe(definition);
    expect(undefinedPaths(result.value.event)).toEqual([]);
  });

  it('keeps unknown fields', () => {
    const parsed = definition.schema.safeParse({ ...body, futureField: { a: [1, '<x>'] }, alsoNew: null });
    expect(parsed.success).toBe(true);
    expect(parsed.data).toMatchObject({ futureField: { a: [1, '<x>'] }, alsoNew: null });
  });

  it('accepts null in every field it does not key on', () => {
    for (const key of Object.keys(body).filter((k) => k !== 'callbackCommand')) {
      const result = catalog.check(command, { ...body, [key]: null });
      if (result.ok) {
        expect(undefinedPaths(result.value.event), key).toEqual([]);
      } else {
        // Only a field the event keys on may be refused, and the error names it.
        expect(result.reason.message, key).toMatch(new RegExp(`^${command}: ${key}: `));
      }
    }
  });

  it('accepts the fixture under each of its aliases and either first-letter case', () => {
    const upper = command.charAt(0).toUpperCase() + command.slice(1);
    for (const name of [...definition.aliases, upper]) {
      expect(findCommand(name), name).toBe(definition);
      expect(catalog.check(name, { ...body, callbackCommand: name }).ok, name).toBe(true);
    }
  });

  it('has a category and a volume hint', () => {
    expect(['group-membership', 'user', 'friend', 'group', 'message', 'conversation']).toContain(definition.category);
    expect(['high', 'normal']).toContain(definition.volume);
  });
});

describe('the catalog as a whole', () => {
  it('has no name (canonical or alias) twice', () => {
    const names = commandDefinitions.flatMap((d) => [d.command, ...d.aliases].map((n) => n.toLowerCase()));
    expect(new Set(names).size).toBe(names.length);
  });

  it('marks messages and presence as high volume, membership as normal', () => {
    const volume = (command: string) => findCommand(command)?.volume;
    for (const d of commandDefinitions.filter((d) => d.category === 'message')) expect(d.volume).toBe('high');
    expect(volume('callbackAfterUserOnlineCommand')).toBe('high');
    expect(volume('callbackAfterUserOfflineCommand')).toBe('high');
    for (const d of commandDefinitions.filter((d) => d.category === 'group-membership'))
      expect(d.volume).toBe('normal');
    expect(volume('callbackAfterUserRegisterCommand')).toBe('normal');
  });

  it('knows the revoke callback by its real command string', () => {
    expect(findCommand('callbackBeforeAfterMsgCommand')?.category).toBe('message');
    expect(findCommand('callbackAfterRevokeMsgCommand')).toBeUndefined();
  });
});

describe('eventGroupID', () => {
  const event = (command: string) => {
    const result = catalog.check(command, readBody(command));
    if (!result.ok) throw new Error(result.reason.message);
    return result.value.event;
  };

  it('names the group of membership, group and group-message events', () => {
    expect(eventGroupID(event('callbackAfterQuitGroupCommand'))).toBe('3027412834');
    expect(eventGroupID(event('callbackAfterSetGroupInfoCommand'))).toBe('2818437296');
    expect(eventGroupID(event('callbackAfterSendGroupMsgCommand'))).toBe('3027412834');
    expect(eventGroupID(event('callbackAfterMsgSaveDBCommand'))).toBe('3027412834');
    expect(eventGroupID(event('callbackAfterCreateGroupChatConversationsCommand'))).toBe('3027412834');
  });

  it('is null for events that concern no group', () => {
    for (const command of [
      'callbackAfterSendSingleMsgCommand',
      'callbackAfterUserOnlineCommand',
      'callbackAfterAddFriendCommand',
      'callbackAfterCreateSingleChatConversationsCommand',
      'callbackAfterGroupMsgReadCommand',
    ]) {
      expect(eventGroupID(event(command)), command).toBeNull();
    }
  });
});
