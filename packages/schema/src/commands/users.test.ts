import { describe, expect, it } from 'vitest';
import { catalog, check, fixture } from './fixture-check.test-helper.js';

describe('user commands', () => {
  it('reads registered users, zero values left out by protobuf as null', () => {
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
      ex: '',
    });
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
      connID: '9f0c2d6b3e5a4c1d8e7f6a5b4c3d2e1f',
    });
    expect(check('callbackAfterUserOfflineCommand')).toEqual({
      type: 'user.presence',
      userID: '6960562805',
      online: false,
      platformID: 2,
      platform: 'Android',
      seq: 1713352441907,
      isAppBackground: null,
      connID: '9f0c2d6b3e5a4c1d8e7f6a5b4c3d2e1f',
    });
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

  it('rejects a presence report without a user, or with a clock that is not a number', () => {
    const body = fixture('callbackAfterUserOnlineCommand');
    expect(catalog.check('callbackAfterUserOnlineCommand', { ...body, userID: '' }).ok).toBe(false);
    expect(catalog.check('callbackAfterUserOnlineCommand', { ...body, seq: '1713351839432' }).ok).toBe(false);
  });
});
