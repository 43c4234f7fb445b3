import type { GroupMember } from '@openim-sync/openim-client';
import { describe, expect, it } from 'vitest';
import { JOIN_TIME_TOLERANCE_US, type ProjectedMember, type ProjectionSnapshot, planReconcile } from './member-diff.js';

const READ_AT = 2_000_000_000_000_000; // µs
const OLD = READ_AT - 1_000_000;
const NEW = READ_AT + 1_000_000;
const JOIN_MS = 1_719_800_000_000;

function row(userID: string, fields: Partial<ProjectedMember> = {}): ProjectedMember {
  return {
    userID,
    roleLevel: 20,
    joinSource: 2,
    reqMessage: null,
    groupEx: null,
    nickname: null,
    faceURL: null,
    ex: null,
    joinedAt: JOIN_MS * 1000,
    memberVersion: OLD,
    joinedVersion: OLD,
    roleVersion: OLD,
    infoVersion: OLD,
    ...fields,
  };
}

function member(userID: string, fields: Partial<GroupMember> = {}): GroupMember {
  return {
    groupID: 'g',
    userID,
    roleLevel: 20,
    joinTime: JOIN_MS,
    nickname: '',
    faceURL: '',
    appMangerLevel: 0,
    joinSource: 2,
    operatorUserID: '',
    ex: '',
    muteEndTime: 0,
    inviterUserID: '',
    ...fields,
  };
}

const snapshot = (members: ProjectedMember[], extra: Partial<ProjectionSnapshot> = {}): ProjectionSnapshot => ({
  members,
  removedSince: new Set(),
  dismissedVersion: null,
  ...extra,
});
const plan = (snap: ProjectionSnapshot, members: GroupMember[]) =>
  planReconcile('g', READ_AT, snap, { kind: 'members', members });

describe('planReconcile', () => {
  it('adds, removes and updates to match OpenIM', () => {
    const result = plan(snapshot([row('stays'), row('left'), row('promoted')]), [
      member('stays'),
      member('promoted', { roleLevel: 60 }),
      member('invited', { roleLevel: 20, joinSource: 2, nickname: 'Ivy' }),
    ]);
    expect(result.diff).toEqual({
      groupID: 'g',
      added: ['invited'],
      removed: ['left'],
      updated: [{ userID: 'promoted', changes: [{ field: 'roleLevel', from: 20, to: 60 }] }],
      dismissed: false,
    });
    expect(result.removals).toEqual(['left']);
    expect(result.upserts).toEqual([
      { userID: 'promoted', roleLevel: 60, joinedAt: null },
      {
        userID: 'invited',
        roleLevel: 20,
        joinedAt: JOIN_MS * 1000,
        joinSource: 2,
        nickname: 'Ivy',
        faceURL: null,
        ex: null,
      },
    ]);
  });

  it('finds nothing to do when the projection equals OpenIM ("" and null alike)', () => {
    const result = plan(snapshot([row('a', { nickname: 'A' }), row('b')]), [
      member('a', { nickname: 'A' }),
      member('b'),
    ]);
    expect(result.diff).toMatchObject({ added: [], removed: [], updated: [], dismissed: false });
    expect(result.upserts).toEqual([]);
  });

  it('leaves newer news alone: later members, roles, fields, removals and dismissals', () => {
    const newer = plan(
      snapshot(
        [row('joined-later', { memberVersion: NEW }), row('promoted-later', { roleLevel: 60, roleVersion: NEW })],
        {
          removedSince: new Set(['quit-later']),
        },
      ),
      [member('promoted-later', { roleLevel: 20 }), member('quit-later')],
    );
    expect(newer.diff).toMatchObject({ added: [], removed: [], updated: [] });
    expect(newer.upserts).toEqual([]);

    const dismissedLater = plan(snapshot([row('a')], { dismissedVersion: NEW }), [member('a'), member('b')]);
    expect(dismissedLater.diff).toMatchObject({ added: [], removed: [], updated: [], dismissed: false });
  });

  it('fills what no callback carries without counting it as drift', () => {
    const result = plan(snapshot([row('a', { joinedAt: JOIN_MS * 1000 + 2_000_000 })]), [
      member('a', { faceURL: 'https://face/a.png' }),
    ]);
    expect(result.diff.updated).toEqual([]);
    expect(result.filled).toBe(1);
    expect(result.upserts).toEqual([{ userID: 'a', roleLevel: null, joinedAt: null, faceURL: 'https://face/a.png' }]);
  });

  it('corrects fields that contradict OpenIM, keeping what OpenIM cannot tell', () => {
    const rejoined = JOIN_MS * 1000 + JOIN_TIME_TOLERANCE_US + 1000;
    const result = plan(snapshot([row('a', { nickname: 'Old', joinSource: 3, reqMessage: 'hi', groupEx: 'gx' })]), [
      member('a', { nickname: '', joinSource: 2, joinTime: rejoined / 1000 }),
    ]);
    expect(result.diff.updated).toEqual([
      {
        userID: 'a',
        changes: [
          { field: 'nickname', from: 'Old', to: '' },
          { field: 'joinSource', from: 3, to: 2 },
          { field: 'joinedAt', from: JOIN_MS * 1000, to: rejoined },
        ],
      },
    ]);
    expect(result.upserts).toEqual([
      {
        userID: 'a',
        roleLevel: null,
        nickname: '',
        joinedAt: rejoined,
        joinSource: 2,
        reqMessage: 'hi',
        groupEx: 'gx',
      },
    ]);
  });

  it('drops a dismissed or unknown group once, and then reports nothing', () => {
    const first = planReconcile('g', READ_AT, snapshot([row('a'), row('b', { memberVersion: NEW })]), {
      kind: 'dismissed',
    });
    expect(first.diff).toMatchObject({ dismissed: true, removed: ['a'] });
    expect(first.dismiss).toBe(true);
    const empty = planReconcile('g', READ_AT, snapshot([]), { kind: 'unknown' });
    expect(empty.dismiss).toBe(true);
    const again = planReconcile('g', READ_AT, snapshot([], { dismissedVersion: OLD }), { kind: 'unknown' });
    expect(again.diff).toMatchObject({ dismissed: false, removed: [] });
    expect(again.dismiss).toBe(false);
  });
});
