import { describe, expect, it } from 'vitest';
import { edgeBody, INT32_MAX, INT32_MIN, longId, TEXT } from '../edge-corpus.test-helper.js';
import { catalog, check, fixture } from './fixture-check.test-helper.js';

describe('group settings commands', () => {
  it('reads the old setter: empty texts and nulls are unchanged', () => {
    expect(check('callbackAfterSetGroupInfoCommand')).toEqual({
      type: 'group.info.set',
      groupID: '2818437296',
      groupName: 'Weekend <Ride> & Co',
      notification: null,
      introduction: null,
      faceURL: null,
      ex: null,
      needVerification: 1,
      lookMemberInfo: null,
      applyMemberFriend: null,
    });
  });

  it('reads the Ex setter: null is unchanged, an empty string is cleared', () => {
    expect(check('callbackAfterSetGroupInfoExCommand')).toEqual({
      type: 'group.info.set',
      groupID: '2818437296',
      groupName: null,
      notification: 'Saturday ride starts 8:00 <sharp>',
      introduction: null,
      faceURL: null,
      ex: '',
      needVerification: null,
      lookMemberInfo: 1,
      applyMemberFriend: null,
    });
  });

  it('needs numbers where OpenIM sends numbers', () => {
    const body = fixture('callbackAfterSetGroupInfoExCommand');
    const result = catalog.check('callbackAfterSetGroupInfoExCommand', { ...body, lookMemberInfo: '1' });
    expect(!result.ok && result.reason.message).toMatch(/lookMemberInfo/);
    expect(catalog.check('callbackAfterSetGroupInfoExCommand', { ...body, groupID: null }).ok).toBe(false);
  });
});

describe('group settings commands at the edges', () => {
  it('take a 600-character group id, NUL in texts and int32 extremes', () => {
    const old = edgeBody('callbackAfterSetGroupInfoCommand', 'client text, int32 extremes');
    expect(check('callbackAfterSetGroupInfoCommand', old)).toEqual({
      type: 'group.info.set',
      groupID: longId('g'),
      groupName: TEXT,
      notification: null,
      introduction: TEXT,
      faceURL: null,
      ex: TEXT,
      needVerification: INT32_MIN,
      lookMemberInfo: 0,
      applyMemberFriend: INT32_MAX,
    });
    const ex = edgeBody('callbackAfterSetGroupInfoExCommand', 'client text, int32 extremes');
    expect(check('callbackAfterSetGroupInfoExCommand', ex)).toMatchObject({
      groupID: longId('g'),
      groupName: TEXT,
      faceURL: '',
      lookMemberInfo: INT32_MAX,
      applyMemberFriend: INT32_MIN,
    });
  });

  it('key no projection, so the group id may be any string', () => {
    const body = { ...fixture('callbackAfterSetGroupInfoExCommand'), groupID: '' };
    expect(check('callbackAfterSetGroupInfoExCommand', body)).toMatchObject({ groupID: '' });
  });
});
