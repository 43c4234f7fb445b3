import { describe, expect, it } from 'vitest';
import { type BeforeCallback, beforeCallbacks, findBeforeCallback } from './catalog.js';
import { continueAnswer, REJECT_CODES, rejectAnswer } from './local-answers.js';

const COMMON = '"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0';
const CONTINUE = `{${COMMON}}`;

function callback(name: string): BeforeCallback {
  const found = findBeforeCallback(name);
  if (!found) throw new Error(`${name} is not in the catalog`);
  return found;
}

/** A body as OpenIM's Go encoder writes it: compact JSON and a trailing newline. */
const goBody = (fields: Record<string, unknown>) => Buffer.from(`${JSON.stringify(fields)}\n`);

// OpenIM main's CallbackBeforeSetGroupInfoReq for a change of name only: "" and 0 for what is not set.
const setGroupInfo = {
  callbackCommand: 'callbackBeforeSetGroupInfoCommand',
  operationID: '',
  groupID: '3027412834',
  groupName: 'Climbers <&> friends',
  notification: 'read me',
  introduction: '',
  faceURL: '',
  ex: '',
  needVerification: 0,
  lookMemberInfo: 0,
  applyMemberFriend: 0,
};

// OpenIM main's CallbackBeforeSetGroupInfoExReq: wrapperspb values bare, null when not being changed.
const setGroupInfoEx = {
  callbackCommand: 'callbackBeforeSetGroupInfoExCommand',
  operationID: '',
  groupID: '3027412834',
  groupName: 'Climbers',
  notification: null,
  introduction: null,
  faceURL: 'https://img.example/g.png',
  ex: null,
  needVerification: 1,
  lookMemberInfo: null,
  applyMemberFriend: 0,
};

describe('continueAnswer', () => {
  const plain = beforeCallbacks.filter((b) => b.echo.length === 0);

  it.each(plain.map((b) => [b.command, b] as const))('%s: the five common fields alone', (command, definition) => {
    const body = goBody({ callbackCommand: command, groupID: 'g1', remark: 'r', users: [{ userID: 'u1' }] });
    expect(continueAnswer(definition, body)).toBe(CONTINUE);
  });

  it('beforeSetGroupInfo: echoes groupID, groupName, introduction and faceURL, nothing else', () => {
    const answer = continueAnswer(callback('callbackBeforeSetGroupInfoCommand'), goBody(setGroupInfo));
    expect(answer).toBe(
      `{${COMMON},"groupID":"3027412834","groupName":"Climbers <&> friends","introduction":"","faceURL":""}`,
    );
  });

  it('beforeSetGroupInfoEx: echoes all eight applied fields exactly, null as null, not notification', () => {
    const answer = continueAnswer(callback('callbackBeforeSetGroupInfoExCommand'), goBody(setGroupInfoEx));
    expect(answer).toBe(
      `{${COMMON},"groupID":"3027412834","groupName":"Climbers","faceURL":"https://img.example/g.png",` +
        '"introduction":null,"ex":null,"needVerification":1,"lookMemberInfo":null,"applyMemberFriend":0}',
    );
  });

  it('reads request keys in any letter case, as Go matches them, and answers with OpenIM’s names', () => {
    const body = goBody({
      GroupID: 'g2',
      GROUPNAME: 'Name',
      faceurl: null,
      Introduction: 'intro',
      EX: 'x',
      NeedVerification: 2,
      // The Kelvin sign folds to "k" in Go's matching.
      'loo\u212aMemberInfo': 1,
      applymemberfriend: null,
    });
    expect(JSON.parse(continueAnswer(callback('callbackBeforeSetGroupInfoExCommand'), body))).toEqual({
      actionCode: 0,
      errCode: 0,
      errMsg: '',
      errDlt: '',
      nextCode: 0,
      groupID: 'g2',
      groupName: 'Name',
      faceURL: null,
      introduction: 'intro',
      ex: 'x',
      needVerification: 2,
      lookMemberInfo: 1,
      applyMemberFriend: null,
    });
  });

  it.each([
    ['not JSON', Buffer.from('<html>nope</html>')],
    ['a JSON array', Buffer.from('[{"groupID":"g1"}]')],
    ['JSON null', Buffer.from('null')],
    ['an object without the fields', goBody({ callbackCommand: 'callbackBeforeSetGroupInfoCommand' })],
  ])('answers the five common fields for %s', (_what, body) => {
    expect(continueAnswer(callback('callbackBeforeSetGroupInfoCommand'), body)).toBe(CONTINUE);
    expect(continueAnswer(callback('callbackBeforeSetGroupInfoExCommand'), body)).toBe(CONTINUE);
  });

  it('leaves out what the answer’s Go field could not hold, keeping the rest', () => {
    const body = goBody({
      groupID: 42,
      groupName: null,
      introduction: 'kept',
      faceURL: ['x'],
      ex: 7,
      needVerification: '1',
      lookMemberInfo: 1.5,
      applyMemberFriend: 2 ** 31,
    });
    expect(continueAnswer(callback('callbackBeforeSetGroupInfoCommand'), body)).toBe(
      `{${COMMON},"introduction":"kept"}`,
    );
    expect(continueAnswer(callback('callbackBeforeSetGroupInfoExCommand'), body)).toBe(
      `{${COMMON},"groupName":null,"introduction":"kept"}`,
    );
  });

  it('v3.6’s callbackBeforeSetFriendRemark echoes the remark, which that server always overwrites', () => {
    const body = goBody({ callbackCommand: 'callbackBeforeSetFriendRemark', ownerUserID: 'a', remark: 'Bob' });
    expect(continueAnswer(callback('callbackBeforeSetFriendRemark'), body)).toBe(`{${COMMON},"remark":"Bob"}`);
    expect(continueAnswer(callback('CallbackBeforeSetFriendRemark'), body)).toBe(`{${COMMON},"remark":"Bob"}`);
    expect(continueAnswer(callback('callbackBeforeSetFriendRemarkCommand'), body)).toBe(CONTINUE);
  });
});

describe('rejectAnswer', () => {
  it('is a rejection OpenIM honours: actionCode 0, nextCode 1, an errCode above 0', () => {
    const answer = JSON.parse(rejectAnswer(REJECT_CODES.unreachable, 'no answer'));
    expect(answer).toEqual({ actionCode: 0, nextCode: 1, errCode: 90004, errMsg: 'no answer', errDlt: '' });
    expect(REJECT_CODES.unusable).toBe(90007);
  });
});
