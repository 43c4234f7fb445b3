import { describe, expect, it } from 'vitest';
import { commandOf, groupOf, matchesFilter, parseFilter, usersOf } from './filters.js';

const now = Date.parse('2026-11-25T12:00:00.000Z');

describe('usersOf', () => {
  it.each([
    ['a join', { type: 'group.member.joined', groupID: 'g', userID: 'u1', joinSource: 3 }, ['u1']],
    ['a kick', { type: 'group.members.kicked', groupID: 'g', userIDs: ['u1', 'u2'], reason: null }, ['u1', 'u2']],
    [
      'a created group (owner listed twice)',
      {
        type: 'group.created',
        groupID: 'g',
        ownerUserID: 'o',
        creatorUserID: 'o',
        members: [
          { userID: 'o', roleLevel: 100 },
          { userID: 'm', roleLevel: 20 },
        ],
      },
      ['o', 'm'],
    ],
    [
      'a transfer',
      { type: 'group.owner.transferred', groupID: 'g', oldOwnerUserID: 'a', newOwnerUserID: 'b' },
      ['a', 'b'],
    ],
    [
      'a dismissal',
      { type: 'group.dismissed', groupID: 'g', ownerUserID: null, memberUserIDs: ['x', 'y'] },
      ['x', 'y'],
    ],
    ['an event of another domain', { type: 'friend.added', fromUserID: 'f', toUserID: 't' }, ['f', 't']],
    [
      'a registration',
      { type: 'user.registered', users: [{ userID: 'a', nickname: null }, { userID: 'b' }] },
      ['a', 'b'],
    ],
  ])('lists the users of %s once each', (_name, event, users) => {
    expect(usersOf(event).sort()).toEqual([...users].sort());
  });

  it('reads malformed events without throwing', () => {
    expect(usersOf(undefined)).toEqual([]);
    expect(usersOf('x')).toEqual([]);
    expect(usersOf({ userID: 42, userIDs: 'u', members: [null, { userID: '' }, 'm'] })).toEqual([]);
  });

  it('ignores fields that merely contain "user"', () => {
    expect(usersOf({ groupID: 'g', nickname: 'userID', userCount: 'u' })).toEqual([]);
  });
});

describe('parseFilter', () => {
  it('resolves a command alias to the canonical name', () => {
    expect(parseFilter({ command: 'callbackKillGroupCommand' }, now)).toEqual({
      ok: true,
      value: { command: 'callbackAfterKickGroupCommand' },
    });
  });

  it('reads every flag', () => {
    expect(
      parseFilter({ command: 'callbackAfterJoinGroupCommand', group: 'g', user: 'u', since: '1h', limit: '5' }, now),
    ).toEqual({
      ok: true,
      value: { command: 'callbackAfterJoinGroupCommand', group: 'g', user: 'u', since: now - 3_600_000, limit: 5 },
    });
  });

  it.each([
    [{ command: 'callbackNopeCommand' }, /--command "callbackNopeCommand": not a known/],
    [{ group: ' ' }, /--group: expected an ID/],
    [{ since: 'banana' }, /--since "banana"/],
    [{ limit: '-1' }, /--limit "-1"/],
  ])('rejects %j', (args, message) => {
    const result = parseFilter(args, now);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe('matchesFilter', () => {
  const job = {
    name: 'callbackAfterKickGroupCommand',
    data: {
      command: 'callbackAfterKickGroupCommand',
      event: { type: 'group.members.kicked', groupID: 'g1', userIDs: ['u1', 'u2'], reason: null },
    },
    finishedOn: now - 60_000,
  };

  it('passes when every given part matches', () => {
    expect(matchesFilter(job, {})).toBe(true);
    expect(
      matchesFilter(job, { command: 'callbackAfterKickGroupCommand', group: 'g1', user: 'u2', since: now - 120_000 }),
    ).toBe(true);
  });

  it.each([
    [{ command: 'callbackAfterQuitGroupCommand' }],
    [{ group: 'g2' }],
    [{ user: 'u3' }],
    [{ since: now - 30_000 }],
  ])('fails on %j', (filter) => {
    expect(matchesFilter(job, filter)).toBe(false);
  });

  it('reads the command, group and users of a malformed job without throwing', () => {
    const bad = { name: 'hand-made', data: null };
    expect(commandOf(bad)).toBe('hand-made');
    expect(groupOf(bad.data)).toBeUndefined();
    expect(matchesFilter(bad, { user: 'u' })).toBe(false);
  });
});
