import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { edgeBody, INT32_MAX, longId, TEXT, WIDE_ID } from './edge-corpus.test-helper.js';
import { goJson } from './go-json.js';
import { commandDefinitions, createCatalog, findCommand } from './index.js';

const fixturesDir = new URL('../fixtures/', import.meta.url);
const readFixture = (name: string) => readFileSync(new URL(name, fixturesDir), 'utf8');
const catalog = createCatalog();

describe('fixtures', () => {
  it('exist for every command, byte-exact as Go encodes them', () => {
    const files = readdirSync(fixturesDir).filter((f) => f.startsWith('callback'));
    expect(files.sort()).toEqual(commandDefinitions.map((d) => `${d.command}.json`).sort());
    for (const file of files) {
      const raw = readFixture(file);
      expect(raw.endsWith('}\n'), `${file} ends with Go's newline`).toBe(true);
      expect(raw).not.toMatch(/[<>&]/); // Go escapes them as \u003c \u003e \u0026
      // Compact and HTML-escaped: re-encoding the parsed body gives the same bytes. The keys
      // and their order are checked against OpenIM's Go structs in go-structs.test.ts.
      expect(goJson(JSON.parse(raw)).toString('utf8'), file).toBe(raw);
    }
  });

  it('exercise the escapes Go applies (<, >, & inside strings)', () => {
    const escaped = commandDefinitions.filter((d) => /\\u003c|\\u0026/.test(readFixture(`${d.command}.json`)));
    expect(escaped.length).toBeGreaterThan(commandDefinitions.length / 2);
    expect(readFixture('callbackAfterSendSingleMsgCommand.json')).toContain('\\u003cnoon\\u003e');
  });

  it('name their own command in callbackCommand', () => {
    for (const { command } of commandDefinitions) {
      expect(JSON.parse(readFixture(`${command}.json`)).callbackCommand).toBe(command);
    }
  });

  it.each(commandDefinitions.map((d) => d.command))('%s parses', (command) => {
    const result = catalog.check(command, JSON.parse(readFixture(`${command}.json`)));
    expect(result.ok, JSON.stringify(result)).toBe(true);
  });
});

describe('normalised events', () => {
  const check = (command: string) => {
    const result = catalog.check(command, JSON.parse(readFixture(`${command}.json`)));
    if (!result.ok) throw new Error(result.reason.message);
    return result.value.event;
  };

  it('reads the real join: inviterUserID is the joined user', () => {
    expect(check('callbackAfterJoinGroupCommand')).toEqual({
      type: 'group.member.joined',
      groupID: '3027412834',
      userID: '6960562805',
      joinSource: 3,
      reqMessage: 'hi <team> & all',
      ex: null,
      groupEx: null,
    });
  });

  it('reads the docs join with ex and groupEx', () => {
    expect(check('callbackAfterMemberJoinGroupCommand')).toMatchObject({
      userID: 'user789',
      ex: '{"vip":true}',
      groupEx: '<group extra>',
    });
  });

  it('deduplicates initMemberList keeping the highest role', () => {
    const event = check('callbackAfterCreateGroupCommand');
    expect(event).toMatchObject({ type: 'group.created', ownerUserID: '1695766238', createTime: 1713351839118 });
    expect(event.type === 'group.created' && event.members).toEqual([
      { userID: '1695766238', roleLevel: 100 },
      { userID: '6960562805', roleLevel: 60 },
      { userID: '5412398475', roleLevel: 20 },
    ]);
  });

  it('reads nickName and keeps null as unchanged', () => {
    expect(check('callbackAfterSetGroupMemberInfoCommand')).toEqual({
      type: 'group.member.info.set',
      groupID: '2818437296',
      userID: '5412398475',
      nickname: 'Ann & Co',
      faceURL: null,
      roleLevel: 60,
      ex: null,
    });
  });

  it('ignores the garbage groupType of dismiss and reads members', () => {
    expect(check('callbackAfterDisMissGroupCommand')).toEqual({
      type: 'group.dismissed',
      groupID: '3027412834',
      ownerUserID: '1695766238',
      memberUserIDs: ['1695766238', '6960562805', '5412398475'],
    });
  });

  it('reads null lists as empty', () => {
    const result = catalog.check('callbackAfterKickGroupCommand', {
      callbackCommand: 'callbackAfterKickGroupCommand',
      groupID: 'g',
      kickedUserIDs: null,
    });
    expect(result.ok && result.value.event).toEqual({
      type: 'group.members.kicked',
      groupID: 'g',
      userIDs: [],
      reason: null,
    });
  });
});

describe('group membership at the edges', () => {
  const check = (command: string, name: string) => {
    const result = catalog.check(command, edgeBody(command, name));
    if (!result.ok) throw new Error(result.reason.message);
    return result.value.event;
  };

  it('accepts ids of any length (OpenIM sets no limit) and keeps NUL in texts', () => {
    expect(check('callbackAfterJoinGroupCommand', 'client text, long ids, int32 max')).toEqual({
      type: 'group.member.joined',
      groupID: longId('g'),
      userID: longId('u'),
      joinSource: INT32_MAX,
      reqMessage: TEXT,
      ex: null,
      groupEx: null,
    });
    expect(check('callbackAfterSetGroupMemberInfoCommand', 'client text, long ids')).toMatchObject({
      userID: longId('u'),
      nickname: TEXT,
      ex: TEXT,
    });
  });

  it('reads a creation with long and non-ASCII ids, each user once at their highest role', () => {
    const event = check('callbackAfterCreateGroupCommand', 'client text, long and non-ASCII ids, int32 extremes');
    expect(event).toMatchObject({ groupID: longId('g'), groupName: TEXT, creatorUserID: null });
    expect(event.type === 'group.created' && event.members).toEqual([
      { userID: longId('u'), roleLevel: 100 },
      { userID: WIDE_ID, roleLevel: 60 },
      { userID: '5412398475', roleLevel: 20 },
    ]);
  });

  it("reads a v3.0 group's dismissal with a nil member list", () => {
    expect(check('callbackAfterDisMissGroupCommand', 'a v3.0 group, nil members')).toEqual({
      type: 'group.dismissed',
      groupID: longId('g'),
      ownerUserID: longId('u'),
      memberUserIDs: [],
    });
  });

  it('still refuses an empty group or user id: the projection keys on them', () => {
    const quit = JSON.parse(readFixture('callbackAfterQuitGroupCommand.json'));
    for (const key of ['groupID', 'userID']) {
      const result = catalog.check('callbackAfterQuitGroupCommand', { ...quit, [key]: '' });
      expect(!result.ok && result.reason.message).toMatch(new RegExp(`${key}: must be a non-empty string`));
    }
  });
});

describe('command matching', () => {
  it('accepts the seed: capitalised callbackCommand against a lower-case URL command', () => {
    const body = JSON.parse(readFixture('seed-member-join.json'));
    expect(catalog.check('callbackAfterMemberJoinGroupCommand', body).ok).toBe(true);
  });

  it('finds aliases and either first-letter case', () => {
    expect(findCommand('callbackQuitGroupCommand')?.command).toBe('callbackAfterQuitGroupCommand');
    expect(findCommand('CallbackAfterKickGroupCommand')?.command).toBe('callbackAfterKickGroupCommand');
    expect(findCommand('callbackafterkickgroupcommand')).toBeUndefined();
  });

  it('accepts a v3.6 alias in the body against the canonical name, as the worker checks it', () => {
    const body = { callbackCommand: 'callbackQuitGroupCommand', groupID: 'g', userID: 'u' };
    expect(catalog.check('callbackQuitGroupCommand', body).ok).toBe(true);
    expect(catalog.check('callbackAfterQuitGroupCommand', body).ok).toBe(true);
    expect(catalog.check('callbackAfterKickGroupCommand', body).ok).toBe(false);
  });

  it('rejects an unknown command', () => {
    expect(catalog.check('callbackAfterNothingCommand', {})).toMatchObject({
      ok: false,
      reason: { code: 'unknown-command' },
    });
  });

  it('rejects a body naming another command', () => {
    const result = catalog.check('callbackAfterQuitGroupCommand', {
      callbackCommand: 'callbackAfterKickGroupCommand',
      groupID: 'g',
      userID: 'u',
    });
    expect(result).toMatchObject({ ok: false, reason: { code: 'invalid-body' } });
    expect(!result.ok && result.reason.message).toContain('names another command');
  });

  it('names the field and the command in errors', () => {
    const result = catalog.check('callbackAfterQuitGroupCommand', {
      callbackCommand: 'callbackAfterQuitGroupCommand',
      groupID: 42,
      userID: 'u',
    });
    expect(!result.ok && result.reason.message).toMatch(/^callbackAfterQuitGroupCommand: groupID: .*string/);
  });

  it('reports the path of a nested error', () => {
    const result = catalog.check('callbackAfterCreateGroupCommand', {
      callbackCommand: 'callbackAfterCreateGroupCommand',
      groupID: 'g',
      initMemberList: [
        { userID: 'a', roleLevel: 100 },
        { userID: 7, roleLevel: 20 },
      ],
    });
    expect(!result.ok && result.reason.message).toContain('initMemberList[1].userID');
  });

  it('rejects non-object bodies', () => {
    for (const body of [null, [], 'x', 3]) {
      expect(catalog.check('callbackAfterQuitGroupCommand', body)).toMatchObject({
        ok: false,
        reason: { code: 'invalid-body' },
      });
    }
  });

  it('keeps unknown fields', () => {
    const check = createCatalog(['callbackAfterQuitGroupCommand']);
    const result = check.check('callbackAfterQuitGroupCommand', {
      callbackCommand: 'callbackAfterQuitGroupCommand',
      groupID: 'g',
      userID: 'u',
      futureField: { a: 1 },
      other: null,
    });
    expect(result.ok).toBe(true);
  });

  it('limits a catalog to enabled commands', () => {
    const limited = createCatalog(['callbackKillGroupCommand']);
    expect(limited.enabled).toEqual(['callbackAfterKickGroupCommand']);
    expect(limited.check('callbackAfterQuitGroupCommand', {})).toMatchObject({ reason: { code: 'disabled-command' } });
    expect(() => createCatalog(['nope'])).toThrow(/unknown OpenIM callback command "nope"/);
  });

  it('looks an enabled command up, and says why another is not found', () => {
    const limited = createCatalog(['callbackKillGroupCommand']);
    const found = limited.find('CallbackAfterKickGroupCommand');
    expect(found.ok && found.value.command).toBe('callbackAfterKickGroupCommand');
    expect(limited.find('callbackAfterQuitGroupCommand')).toMatchObject({
      ok: false,
      reason: {
        code: 'disabled-command',
        message: 'callback command "callbackAfterQuitGroupCommand" is not enabled (ENABLED_COMMANDS)',
      },
    });
    expect(limited.find('callbackAfterNothingCommand')).toMatchObject({
      ok: false,
      reason: { code: 'unknown-command', message: 'unknown callback command "callbackAfterNothingCommand"' },
    });
  });
});
