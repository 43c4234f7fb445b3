import { readFileSync } from 'node:fs';
import { goJson } from './go-json.js';

/**
 * Bodies OpenIM can send that sit at the edges of what Go encodes: each is a
 * command's fixture with some fields replaced, keys kept in struct order, and
 * encoded as Go's encoder writes it. Ids stay non-empty where OpenIM looks the
 * user or group up before calling back; free text, client-set numbers and
 * nil slices take every value a client can make OpenIM send.
 */
export interface EdgeCase {
  command: string;
  name: string;
  /** The body as Go would hold it: a `bigint` stands for an int64 a double cannot hold. */
  body: Record<string, unknown>;
  /** What OpenIM posts for it. */
  bytes: Buffer;
}

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;
export const INT32_MAX = 2147483647;
export const INT32_MIN = -2147483648;
export const UINT32_MAX = 4294967295;

/** Client text: NUL, non-ASCII, and what Go escapes (`<`, `>`, `&`, U+2028). */
export const TEXT = 'nul\u0000 <b>&amp;</b> Zoë 🚲 李雷 \u2028end';
/** An id of 600 characters (OpenIM sets no limit); `tag` tells ids of one body apart. */
export const longId = (tag: string) => tag + '7'.repeat(600 - tag.length);
export const WIDE_ID = 'Zoë-李雷-🚲';

const fixture = (command: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/${command}.json`, import.meta.url), 'utf8'));

/** Built as CreateGroup does: owner at 100, admins at 60, then members, admins and owner at 20. */
function createdBy(owner: string, admins: string[], members: string[]) {
  const userIDs = [...members, ...admins, owner];
  return {
    ownerUserID: owner,
    memberCount: userIDs.length,
    initMemberList: [
      { userID: owner, roleLevel: 100 },
      ...admins.map((userID) => ({ userID, roleLevel: 60 })),
      ...userIDs.map((userID) => ({ userID, roleLevel: 20 })),
    ],
  };
}

const message = {
  sendID: longId('s'),
  operationID: '',
  senderPlatformID: INT32_MAX,
  senderNickname: TEXT,
  sendTime: INT64_MIN,
  createTime: INT64_MAX,
  content: TEXT,
  atUserList: ['', longId('a'), WIDE_ID],
  faceURL: '',
  ex: TEXT,
};
const messageZeros = {
  senderPlatformID: 0,
  senderNickname: '',
  msgFrom: 0,
  contentType: 0,
  status: 0,
  sendTime: 0,
  createTime: 0,
  content: '',
  seq: 0,
  atUserList: null,
  ex: '',
};
const conversation = { recvMsgOpt: INT32_MIN, isPinned: true, isPrivateChat: true, burnDuration: INT32_MAX };

/** Per command: named replacements for fields of its fixture. */
const edges: Record<string, Record<string, Record<string, unknown>>> = {
  callbackAfterJoinGroupCommand: {
    'client text, long ids, int32 max': {
      operationID: '',
      groupID: longId('g'),
      reqMessage: TEXT,
      joinSource: INT32_MAX,
      inviterUserID: longId('u'),
    },
    'zero values, a non-ASCII id': { reqMessage: '', joinSource: 0, inviterUserID: WIDE_ID },
  },
  callbackAfterMemberJoinGroupCommand: {
    'client text, long ids': { groupID: longId('g'), userID: longId('u'), ex: TEXT, groupEx: '' },
  },
  callbackAfterQuitGroupCommand: {
    'long ids': { groupID: longId('g'), userID: longId('u') },
    'a non-ASCII id': { userID: WIDE_ID },
  },
  callbackAfterKickGroupCommand: {
    'client text, long ids': { groupID: longId('g'), kickedUserIDs: [longId('u'), WIDE_ID], reason: TEXT },
    'an empty reason (v3.7.0 to v3.8.0)': { reason: '' },
  },
  callbackAfterDisMissGroupCommand: {
    'a v3.0 group, nil members': { groupID: longId('g'), ownerID: longId('u'), groupType: '\u0000', membersID: null },
    'no members': { membersID: [] },
  },
  callbackAfterCreateGroupCommand: {
    'client text, long and non-ASCII ids, int32 extremes': {
      groupID: longId('g'),
      groupName: TEXT,
      notification: TEXT,
      introduction: '',
      ...createdBy(longId('u'), [WIDE_ID], ['5412398475']),
      ex: TEXT,
      creatorUserID: '',
      needVerification: INT32_MIN,
      lookMemberInfo: INT32_MAX,
    },
    'no admins, no members': { groupName: '', ...createdBy('1695766238', [], []) },
  },
  callbackAfterTransferGroupOwnerCommand: {
    'long and non-ASCII ids': { groupID: longId('g'), oldOwnerUserID: longId('u'), newOwnerUserID: WIDE_ID },
  },
  callbackAfterSetGroupMemberInfoCommand: {
    'client text, long ids': {
      groupID: longId('g'),
      userID: longId('u'),
      nickName: TEXT,
      faceURL: '',
      roleLevel: null,
      ex: TEXT,
    },
    'cleared values': { nickName: '', faceURL: null, roleLevel: 20, ex: '' },
  },
  callbackAfterUserRegisterCommand: {
    'client text, int64 and int32 extremes': {
      users: [
        {
          userID: longId('u'),
          nickname: TEXT,
          faceURL: '',
          ex: TEXT,
          createTime: INT64_MAX,
          appMangerLevel: INT32_MIN,
          globalRecvMsgOpt: INT32_MAX,
        },
        {
          userID: WIDE_ID,
          nickname: '',
          faceURL: '',
          ex: '',
          createTime: INT64_MIN,
          appMangerLevel: 0,
          globalRecvMsgOpt: 0,
        },
      ],
    },
  },
  callbackAfterUpdateUserInfoCommand: {
    'client text, a long id': { userID: longId('u'), nickName: TEXT, faceURL: TEXT },
    'nothing changed': { nickName: '', faceURL: '' },
  },
  callbackAfterUpdateUserInfoExCommand: {
    'client text, a long id': { userID: longId('u'), nickName: TEXT, faceURL: '' },
    'nothing changed': { nickName: null, faceURL: null },
  },
  callbackAfterUserOnlineCommand: {
    'int64 max, a long id': { operationID: '', userID: longId('u'), seq: INT64_MAX, isAppBackground: true },
    'int64 min, a non-ASCII id': { userID: WIDE_ID, seq: INT64_MIN },
  },
  callbackAfterUserOfflineCommand: {
    'int64 max, a long id': { operationID: '', userID: longId('u'), seq: INT64_MAX },
    'zero seq, a non-ASCII id': { userID: WIDE_ID, seq: 0 },
  },
  callbackAfterUserKickOffCommand: {
    'int64 min, a long id': { operationID: '', userID: longId('u'), seq: INT64_MIN },
  },
  callbackAfterAddFriendCommand: {
    'client text, long ids': { fromUserID: longId('u'), toUserID: WIDE_ID, reqMsg: TEXT },
    'an empty message': { reqMsg: '' },
  },
  callbackAfterAddFriendAgreeCommand: {
    'client text, int32 min': {
      fromUserID: longId('u'),
      blackUserID: WIDE_ID,
      HandleResult: INT32_MIN,
      HandleMsg: TEXT,
    },
    'zero values': { HandleResult: 0, HandleMsg: '' },
  },
  callbackAfterDeleteFriendCommand: {
    'long and non-ASCII ids': { ownerUserID: longId('u'), friendUserID: WIDE_ID },
  },
  callbackAfterImportFriendsCommand: {
    'long and non-ASCII ids': { ownerUserID: longId('u'), friendUserIDs: [WIDE_ID, longId('f')] },
    'a nil list': { friendUserIDs: null },
  },
  callbackAfterSetFriendRemarkCommand: {
    'client text, long ids': { ownerUserID: longId('u'), friendUserID: WIDE_ID, remark: TEXT },
    'an empty remark': { remark: '' },
  },
  callbackAfterRemoveBlackCommand: {
    'long and non-ASCII ids': { ownerUserID: longId('u'), blackUserID: WIDE_ID },
  },
  callbackAfterSetGroupInfoCommand: {
    'client text, int32 extremes': {
      groupID: longId('g'),
      groupName: TEXT,
      introduction: TEXT,
      ex: TEXT,
      needVerification: INT32_MIN,
      lookMemberInfo: 0,
      applyMemberFriend: INT32_MAX,
    },
    'cleared values': { groupName: '', ex: '', needVerification: null },
  },
  callbackAfterSetGroupInfoExCommand: {
    'client text, int32 extremes': {
      groupID: longId('g'),
      groupName: TEXT,
      introduction: null,
      faceURL: '',
      ex: TEXT,
      needVerification: 0,
      lookMemberInfo: INT32_MAX,
      applyMemberFriend: INT32_MIN,
    },
  },
  callbackAfterSendSingleMsgCommand: {
    'client values, int64 extremes, empty @-entry': { ...message, recvID: longId('r') },
    'zero values, nil @-list': messageZeros,
  },
  callbackAfterSendGroupMsgCommand: {
    'client values, int64 extremes, empty @-entry': { ...message, groupID: longId('g') },
    'zero values, nil @-list': messageZeros,
  },
  callbackAfterMsgSaveDBCommand: {
    'group, uint32 max seq': { ...message, seq: UINT32_MAX, groupID: longId('g') },
    'single chat': { ...messageZeros, sessionType: 1, recvID: longId('r'), groupID: '' },
  },
  callbackAfterSingleMsgReadCommand: {
    'long ids, int64 seqs': {
      conversationID: `si_${WIDE_ID}_${longId('u')}`,
      userID: longId('u'),
      Seqs: [0, 1, INT64_MAX],
    },
    'a nil list': { Seqs: null },
  },
  callbackAfterGroupMsgReadCommand: {
    'long ids, int64 max': { sendID: longId('u'), receiveID: longId('u'), unreadMsgNum: INT64_MAX },
    'zero values': { unreadMsgNum: 0 },
  },
  callbackBeforeAfterMsgCommand: {
    'int64 max, long ids': { conversationID: `sg_${longId('g')}`, seq: INT64_MAX, userID: WIDE_ID },
    'zero seq': { seq: 0 },
  },
  callbackAfterCreateSingleChatConversationsCommand: {
    'client text, int32 extremes': {
      ownerUserId: longId('u'),
      conversationId: `si_${WIDE_ID}_${longId('u')}`,
      userId: WIDE_ID,
      ...conversation,
      attachedInfo: TEXT,
      ex: TEXT,
    },
  },
  callbackAfterCreateGroupChatConversationsCommand: {
    'client text, a long group id': {
      conversationId: `sg_${longId('g')}`,
      groupId: longId('g'),
      ...conversation,
      attachedInfo: TEXT,
      ex: '',
    },
  },
};

/** The edge cases of every command named, in the order given. */
export function edgeCorpus(commands: readonly string[]): EdgeCase[] {
  return commands.flatMap((command) =>
    Object.entries(edges[command] ?? {}).map(([name, changes]) => {
      const body = { ...fixture(command), ...changes };
      return { command, name, body, bytes: goJson(body) };
    }),
  );
}

/** One edge case's body as the ingress parses it (an int64 beyond 2^53 rounded, as JSON.parse does). */
export function edgeBody(command: string, name: string): Record<string, unknown> {
  const found = edgeCorpus([command]).find((c) => c.name === name);
  if (!found) throw new Error(`no edge case "${name}" for ${command}`);
  return JSON.parse(found.bytes.toString('utf8'));
}
