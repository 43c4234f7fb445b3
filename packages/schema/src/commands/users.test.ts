import { describe, expect, it } from 'vitest';
import { edgeBody, longId, TEXT, WIDE_ID } from '../edge-corpus.test-helper.js';
import { catalog, check, fixture } from './fixture-check.test-helper.js';

describe('user commands', () => {
  it('reads registered users, empty strings and a zero createTime as null', () => {
    expect(check('callbackAfterUserRegisterCommand')).toEqual({
      type: 'user.registered',
      users: [
        {
          userID: '5412398475',
          nickname: 'Ann & Co',
          faceURL: 'https://cdn.example.com/face/5412398475.png',
          ex: '{"lang":"en","tier":"<gold>"}',
          createTime: null,
        },
        { userID: '7731220964', nickname: 'Zoë 🚲', faceURL: null, ex: null, createTime: null },
      ],
    });
  });

  it('reads a createTime when one is sent, and a null user list as empty', () => {
    const command = 'callbackAfterUserRegisterCommand';
    const users = [{ userID: 'u', createTime: 1713351839000, appMangerLevel: 1 }];
    expect(check(command, { callbackCommand: command, users })).toMatchObject({
      users: [{ createTime: 1713351839000 }],
    });
    expect(check(command, { callbackCommand: command, users: null })).toEqual({ type: 'user.registered', users: [] });
    expect(catalog.check(command, { callbackCommand: command, users: [{ userID: '' }] }).ok).toBe(false);
  });

  it('reads nickName; empty strings of the old update mean unchanged', () => {
    expect(check('callbackAfterUpdateUserInfoCommand')).toEqual({
      type: 'user.info.updated',
      userID: '6960562805',
      nickname: 'Bob <The Builder>',
      faceURL: null,
      ex: null,
    });
  });

  it('reads the Ex update: null is unchanged, an empty string is a cleared value', () => {
    expect(check('callbackAfterUpdateUserInfoExCommand')).toEqual({
      type: 'user.info.updated',
      userID: '6960562805',
      nickname: null,
      faceURL: 'https://cdn.example.com/face/6960562805.png?v=2&s=128',
      ex: null,
    });
    const cleared = { ...fixture('callbackAfterUpdateUserInfoExCommand'), ex: '' };
    expect(check('callbackAfterUpdateUserInfoExCommand', cleared)).toMatchObject({ ex: '' });
  });

  it('reads online and offline reports as one presence event', () => {
    expect(check('callbackAfterUserOnlineCommand')).toEqual({
      type: 'user.presence',
      userID: '6960562805',
      online: true,
      platformID: 2,
      platform: 'Android',
      seq: 1713351839432,
      isAppBackground: false,
      connID: null,
    });
    expect(check('callbackAfterUserOfflineCommand')).toEqual({
      type: 'user.presence',
      userID: '6960562805',
      online: false,
      platformID: 2,
      platform: 'Android',
      seq: 1713352441907,
      isAppBackground: null,
      connID: null,
    });
    const v37 = { ...fixture('callbackAfterUserOfflineCommand'), connID: '9f0c2d6b3e5a4c1d8e7f6a5b4c3d2e1f' };
    expect(check('callbackAfterUserOfflineCommand', v37)).toMatchObject({ connID: '9f0c2d6b3e5a4c1d8e7f6a5b4c3d2e1f' });
  });

  it('accepts the v3.6 presence commands', () => {
    const body = { ...fixture('callbackAfterUserOnlineCommand'), callbackCommand: 'callbackUserOnlineCommand' };
    expect(check('callbackUserOnlineCommand', body)).toMatchObject({ type: 'user.presence', online: true });
    const offline = { ...fixture('callbackAfterUserOfflineCommand'), callbackCommand: 'callbackUserOfflineCommand' };
    expect(check('callbackAfterUserOfflineCommand', offline)).toMatchObject({ online: false });
  });

  it('reads a kick-off', () => {
    expect(check('callbackAfterUserKickOffCommand')).toEqual({
      type: 'user.kicked.off',
      userID: '5412398475',
      platformID: 1,
      platform: 'IOS',
      seq: 1713352440011,
    });
  });

  it('rejects what the presence projection cannot key on or order by: no user, a platform beyond int32, a clock not a number', () => {
    const body = fixture('callbackAfterUserOnlineCommand');
    const refusal = (changes: Record<string, unknown>) => {
      const result = catalog.check('callbackAfterUserOnlineCommand', { ...body, ...changes });
      return !result.ok && result.reason.message;
    };
    expect(refusal({ userID: '' })).toMatch(/userID: must be a non-empty string/);
    expect(refusal({ platformID: 2 ** 31 })).toMatch(/platformID/);
    expect(refusal({ seq: '1713351839432' })).toMatch(/seq/);
  });
});

describe('user commands at the edges', () => {
  it('registers users with a 600-character id, NUL in texts, any int64 createTime (read as null)', () => {
    const command = 'callbackAfterUserRegisterCommand';
    expect(check(command, edgeBody(command, 'client text, int64 and int32 extremes'))).toEqual({
      type: 'user.registered',
      users: [
        { userID: longId('u'), nickname: TEXT, faceURL: null, ex: TEXT, createTime: null },
        { userID: WIDE_ID, nickname: null, faceURL: null, ex: null, createTime: null },
      ],
    });
    for (const createTime of [-1, 8.64e15 + 1, 2 ** 63]) {
      const users = [{ userID: 'u', createTime }];
      expect(check(command, { callbackCommand: command, users }), String(createTime)).toMatchObject({
        users: [{ createTime: null }],
      });
    }
  });

  it('updates a profile of a 600-character id, NUL kept', () => {
    expect(
      check(
        'callbackAfterUpdateUserInfoCommand',
        edgeBody('callbackAfterUpdateUserInfoCommand', 'client text, a long id'),
      ),
    ).toEqual({
      type: 'user.info.updated',
      userID: longId('u'),
      nickname: TEXT,
      faceURL: TEXT,
      ex: null,
    });
    const ex = edgeBody('callbackAfterUpdateUserInfoExCommand', 'client text, a long id');
    expect(check('callbackAfterUpdateUserInfoExCommand', ex)).toEqual({
      type: 'user.info.updated',
      userID: longId('u'),
      nickname: TEXT,
      faceURL: '',
      ex: null,
    });
  });

  it('accepts any int64 presence clock; one a double cannot hold reads as null', () => {
    const online = edgeBody('callbackAfterUserOnlineCommand', 'int64 max, a long id');
    expect(check('callbackAfterUserOnlineCommand', online)).toMatchObject({
      userID: longId('u'),
      seq: null,
      isAppBackground: true,
    });
    const low = edgeBody('callbackAfterUserOnlineCommand', 'int64 min, a non-ASCII id');
    expect(check('callbackAfterUserOnlineCommand', low)).toMatchObject({ userID: WIDE_ID, seq: null });
    const offline = edgeBody('callbackAfterUserOfflineCommand', 'zero seq, a non-ASCII id');
    expect(check('callbackAfterUserOfflineCommand', offline)).toMatchObject({ seq: 0, connID: null });
    const kick = edgeBody('callbackAfterUserKickOffCommand', 'int64 min, a long id');
    expect(check('callbackAfterUserKickOffCommand', kick)).toMatchObject({ userID: longId('u'), seq: null });
  });
});
