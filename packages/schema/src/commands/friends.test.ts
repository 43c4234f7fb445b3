import { describe, expect, it } from 'vitest';
import { edgeBody, INT32_MIN, longId, TEXT, WIDE_ID } from '../edge-corpus.test-helper.js';
import { catalog, check, fixture } from './fixture-check.test-helper.js';

describe('friend commands', () => {
  it('reads an application and its reqMsg', () => {
    expect(check('callbackAfterAddFriendCommand')).toEqual({
      type: 'friend.application.added',
      fromUserID: '5412398475',
      toUserID: '6960562805',
      reqMessage: "Hi, it's Ann from <work> & the ride",
    });
  });

  it('reads the acceptance: blackUserID is the accepting user, HandleResult and HandleMsg the answer', () => {
    expect(check('callbackAfterAddFriendAgreeCommand')).toEqual({
      type: 'friend.application.agreed',
      fromUserID: '5412398475',
      toUserID: '6960562805',
      handleResult: 1,
      handleMessage: 'Sure & welcome',
    });
  });

  it('reads deletions, imports, remarks and blocklist removals', () => {
    expect(check('callbackAfterDeleteFriendCommand')).toEqual({
      type: 'friend.deleted',
      ownerUserID: '5412398475',
      friendUserID: '7731220964',
    });
    expect(check('callbackAfterImportFriendsCommand')).toEqual({
      type: 'friends.imported',
      ownerUserID: '1695766238',
      friendUserIDs: ['5412398475', '6960562805', '7731220964'],
    });
    expect(check('callbackAfterSetFriendRemarkCommand')).toEqual({
      type: 'friend.remark.set',
      ownerUserID: '5412398475',
      friendUserID: '6960562805',
      remark: 'Bob <work>',
    });
    expect(check('callbackAfterRemoveBlackCommand')).toEqual({
      type: 'black.removed',
      ownerUserID: '6960562805',
      blackUserID: '7731220964',
    });
  });

  it('reads a nil import list as empty and accepts the v3.6 remark command', () => {
    const command = 'callbackAfterImportFriendsCommand';
    expect(check(command, { callbackCommand: command, ownerUserID: 'o', friendUserIDs: null })).toMatchObject({
      friendUserIDs: [],
    });
    const remark = {
      ...fixture('callbackAfterSetFriendRemarkCommand'),
      callbackCommand: 'callbackAfterSetFriendRemark',
    };
    expect(check('callbackAfterSetFriendRemark', remark)).toMatchObject({ type: 'friend.remark.set' });
  });

  it('rejects an acceptance without the accepting user', () => {
    const { blackUserID: _, ...body } = fixture('callbackAfterAddFriendAgreeCommand');
    const result = catalog.check('callbackAfterAddFriendAgreeCommand', body);
    expect(!result.ok && result.reason.message).toMatch(/blackUserID/);
  });
});

describe('friend commands at the edges', () => {
  it('take 600-character and non-ASCII ids and NUL in texts, as sent', () => {
    const added = edgeBody('callbackAfterAddFriendCommand', 'client text, long ids');
    expect(check('callbackAfterAddFriendCommand', added)).toEqual({
      type: 'friend.application.added',
      fromUserID: longId('u'),
      toUserID: WIDE_ID,
      reqMessage: TEXT,
    });
    const agreed = edgeBody('callbackAfterAddFriendAgreeCommand', 'client text, int32 min');
    expect(check('callbackAfterAddFriendAgreeCommand', agreed)).toEqual({
      type: 'friend.application.agreed',
      fromUserID: longId('u'),
      toUserID: WIDE_ID,
      handleResult: INT32_MIN,
      handleMessage: TEXT,
    });
    const remark = edgeBody('callbackAfterSetFriendRemarkCommand', 'client text, long ids');
    expect(check('callbackAfterSetFriendRemarkCommand', remark)).toMatchObject({
      ownerUserID: longId('u'),
      remark: TEXT,
    });
    const imported = edgeBody('callbackAfterImportFriendsCommand', 'long and non-ASCII ids');
    expect(check('callbackAfterImportFriendsCommand', imported)).toMatchObject({
      friendUserIDs: [WIDE_ID, longId('f')],
    });
  });

  it('key no projection, so any string is an id, the empty one too', () => {
    const command = 'callbackAfterImportFriendsCommand';
    const body = { callbackCommand: command, ownerUserID: '', friendUserIDs: ['', 'x'] };
    expect(check(command, body)).toEqual({ type: 'friends.imported', ownerUserID: '', friendUserIDs: ['', 'x'] });
    const deleted = { ...fixture('callbackAfterDeleteFriendCommand'), friendUserID: '' };
    expect(check('callbackAfterDeleteFriendCommand', deleted)).toMatchObject({ friendUserID: '' });
  });
});
