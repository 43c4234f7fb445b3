import { describe, expect, it } from 'vitest';
import { check, fixture } from './fixture-check.test-helper.js';

const OWNER = '1695766238';
const ADMIN = '6960562805';
const MEMBER = '5412398475';
const IM_ADMIN = 'imAdmin';

const entry = (userID: string, roleLevel: number) => ({ userID, roleLevel });

/** The create callback's members for `initMemberList`, with the fixture's other fields. */
function membersOf(initMemberList: unknown, ownerUserID: string | null = OWNER, memberCount = 3) {
  const body = { ...fixture('callbackAfterCreateGroupCommand'), initMemberList, ownerUserID, memberCount };
  const event = check('callbackAfterCreateGroupCommand', body);
  if (event.type !== 'group.created') throw new Error(`unexpected ${event.type}`);
  return event.members;
}

// initMemberList as OpenIM (v3.7.0 to main) builds it: owner@100, admins@60, then every id of
// userIDs (members, admins, owner, and a caller not among them) @20.
describe('callbackAfterCreateGroupCommand: initMemberList', () => {
  it('keeps each id once, at its first role (the owner 100, an admin 60)', () => {
    expect(membersOf(fixture('callbackAfterCreateGroupCommand').initMemberList)).toEqual([
      entry(OWNER, 100),
      entry(ADMIN, 60),
      entry(MEMBER, 20),
    ]);
  });

  it('leaves out an IM admin who created the group without being in it: OpenIM gives it no row', () => {
    const list = [
      entry(OWNER, 100),
      entry(ADMIN, 60),
      entry(MEMBER, 20),
      entry(ADMIN, 20),
      entry(OWNER, 20),
      entry(IM_ADMIN, 20),
    ];
    // memberCount is len(userIDs) = 4, one more than the rows; it is not read.
    expect(membersOf(list, OWNER, 4)).toEqual([entry(OWNER, 100), entry(ADMIN, 60), entry(MEMBER, 20)]);
  });

  it('leaves out the IM admin of a group created with the owner alone', () => {
    expect(membersOf([entry(OWNER, 100), entry(OWNER, 20), entry(IM_ADMIN, 20)], OWNER, 2)).toEqual([
      entry(OWNER, 100),
    ]);
  });

  it('keeps an IM admin that the request listed as a member (it was not appended)', () => {
    const list = [entry(OWNER, 100), entry(MEMBER, 20), entry(IM_ADMIN, 20), entry(OWNER, 20)];
    expect(membersOf(list)).toEqual([entry(OWNER, 100), entry(MEMBER, 20), entry(IM_ADMIN, 20)]);
  });

  it('finds the owner by its 100 entry when ownerUserID is empty', () => {
    const list = [entry(OWNER, 100), entry(MEMBER, 20), entry(OWNER, 20), entry(IM_ADMIN, 20)];
    expect(membersOf(list, '')).toEqual([entry(OWNER, 100), entry(MEMBER, 20)]);
  });

  it('keeps every id of lists of other shapes', () => {
    // The owner and the admin repeated at their own roles: nothing follows the owner's repeat but a repeat.
    const repeated = [entry(OWNER, 100), entry(ADMIN, 60), entry(MEMBER, 20), entry(OWNER, 100), entry(ADMIN, 60)];
    expect(membersOf(repeated)).toEqual([entry(OWNER, 100), entry(ADMIN, 60), entry(MEMBER, 20)]);
    // Older servers leave the owner out: it is added, and no one is taken for an appended caller.
    expect(membersOf([entry(ADMIN, 60), entry(MEMBER, 20)])).toEqual([
      entry(OWNER, 100),
      entry(ADMIN, 60),
      entry(MEMBER, 20),
    ]);
    expect(membersOf(null)).toEqual([entry(OWNER, 100)]);
  });
});

describe('callbackAfterDisMissGroupCommand', () => {
  it('reads both of OpenIM’s reports of one dismissal: with every member, then with none', () => {
    const first = fixture('callbackAfterDisMissGroupCommand');
    expect(check('callbackAfterDisMissGroupCommand', first)).toMatchObject({
      type: 'group.dismissed',
      memberUserIDs: [OWNER, ADMIN, MEMBER],
    });
    expect(check('callbackAfterDisMissGroupCommand', { ...first, membersID: [] })).toEqual({
      type: 'group.dismissed',
      groupID: first.groupID,
      ownerUserID: OWNER,
      memberUserIDs: [],
    });
  });
});
