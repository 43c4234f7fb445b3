import { findCommand } from '@openim-sync/schema';
import { describe, expect, it } from 'vitest';
import { beforeCallbacks, findBeforeCallback } from './catalog.js';

// The before-callback constants of open-im-server main
// (7848d7c7354945fe7b40f6b990db8b6013a9037c, pkg/callbackstruct/constant.go),
// each one sent from internal/; restated here so a slip in the catalog shows.
const MAIN = [
  'callbackBeforeSendSingleMsgCommand',
  'callbackBeforeSendGroupMsgCommand',
  'callbackBeforeMsgModifyCommand',
  'callbackBeforeOnlinePushCommand',
  'callbackBeforeOfflinePushCommand',
  'callbackBeforeGroupOnlinePushCommand',
  'callbackBeforeUpdateUserInfoCommand',
  'callbackBeforeUpdateUserInfoExCommand',
  'callbackBeforeUserRegisterCommand',
  'callbackBeforeAddFriendCommand',
  'callbackBeforeAddFriendAgreeCommand',
  'callbackBeforeImportFriendsCommand',
  'callbackBeforeSetFriendRemarkCommand',
  'callbackBeforeAddBlackCommand',
  'callbackBeforeCreateGroupCommand',
  'callbackBeforeMembersJoinGroupCommand',
  'callbackBeforeSetGroupMemberInfoCommand',
  'callbackBeforeJoinGroupCommand',
  'callbackBeforeInviteJoinGroupCommand',
  'callbackBeforeSetGroupInfoCommand',
  'callbackBeforeSetGroupInfoExCommand',
  'callbackBeforeCreateSingleChatConversationsCommand',
  'callbackBeforeCreateGroupChatConversationsCommand',
];

// v3.6.0 pkg/callbackstruct/constant.go (renamed in v3.7.0) and v3.7.x's per-member join (batched in v3.8.0).
const OLD: Array<[string, string]> = [
  ['callbackMsgModifyCommand', 'callbackBeforeMsgModifyCommand'],
  ['callbackOnlinePushCommand', 'callbackBeforeOnlinePushCommand'],
  ['callbackOfflinePushCommand', 'callbackBeforeOfflinePushCommand'],
  ['callbackSuperGroupOnlinePushCommand', 'callbackBeforeGroupOnlinePushCommand'],
  ['callbackBeforeSetFriendRemark', 'callbackBeforeSetFriendRemarkCommand'],
  ['callbackBeforeMemberJoinGroupCommand', 'callbackBeforeMembersJoinGroupCommand'],
];

const capitalised = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

describe('before-callback catalog', () => {
  it('has the 23 before-callbacks of OpenIM main, once each', () => {
    expect(beforeCallbacks.map((b) => b.command).sort()).toEqual([...MAIN].sort());
  });

  it.each(MAIN)('finds %s by its name, in either first-letter case', (command) => {
    expect(findBeforeCallback(command)?.command).toBe(command);
    expect(findBeforeCallback(capitalised(command))?.command).toBe(command);
  });

  it.each(OLD)('finds the older spelling %s as %s, in either first-letter case', (old, command) => {
    expect(findBeforeCallback(old)?.command).toBe(command);
    expect(findBeforeCallback(capitalised(old))?.command).toBe(command);
  });

  it('finds nothing for after-callbacks, the revoke callback, other letter cases or unknown names', () => {
    for (const name of [
      'callbackAfterJoinGroupCommand',
      // OpenIM's revoke after-callback, despite its name (CallbackAfterRevokeMsgCommand).
      'callbackBeforeAfterMsgCommand',
      'callbackQuitGroupCommand',
      'CALLBACKBEFORESENDSINGLEMSGCOMMAND',
      'callbackbeforesendsinglemsgcommand',
      'callbackBeforeSendSingleMsg',
      '',
      'constructor',
      '__proto__',
    ]) {
      expect(findBeforeCallback(name), name).toBeUndefined();
    }
  });

  it('shares no spelling with the after-callback catalog, so neither shadows the other', () => {
    for (const { command, aliases } of beforeCallbacks) {
      for (const name of [command, ...aliases]) expect(findCommand(name), name).toBeUndefined();
    }
  });

  it('echoes request fields only where OpenIM overwrites them from the answer', () => {
    const echoing = beforeCallbacks.filter((b) => b.echo.length > 0 || b.aliasEcho);
    expect(echoing.map((b) => b.command).sort()).toEqual([
      'callbackBeforeSetFriendRemarkCommand',
      'callbackBeforeSetGroupInfoCommand',
      'callbackBeforeSetGroupInfoExCommand',
    ]);
    // v3.7.0+ keep the remark when the answer's is "": only the v3.6 spelling echoes it.
    expect(findBeforeCallback('callbackBeforeSetFriendRemarkCommand')?.echo).toEqual([]);
    expect(findBeforeCallback('callbackBeforeSetFriendRemark')?.echo.map((f) => f.name)).toEqual(['remark']);
  });
});
