import { describe, expect, it } from 'vitest';
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

  it('needs the group and numbers where OpenIM sends numbers', () => {
    const body = fixture('callbackAfterSetGroupInfoExCommand');
    expect(catalog.check('callbackAfterSetGroupInfoExCommand', { ...body, groupID: '' }).ok).toBe(false);
    const result = catalog.check('callbackAfterSetGroupInfoExCommand', { ...body, lookMemberInfo: '1' });
    expect(!result.ok && result.message).toMatch(/lookMemberInfo/);
  });
});
