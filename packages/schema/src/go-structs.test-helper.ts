/**
 * The request structs OpenIM posts for each after-callback, as Go's
 * encoding/json writes them: one `[jsonKey, goType]` per field, in struct
 * declaration order, embedded structs inlined at their position (none of
 * these fields is `omitempty` or `json:"-"`). Read from openimsdk/open-im-server
 * at v3.8.3 and main (pkg/callbackstruct), with openimsdk/protocol
 * v0.0.72-alpha.71 (v3.8.3) and main 91e8d26 (= v0.0.73-alpha.18; main's go.mod
 * names alpha.19) for sdkws.UserInfo and sdkws.GroupInfo, whose fields are the
 * same in v0.0.64 (v3.7.0). Where older releases differ, `versions` says how;
 * the fixtures hold the v3.8.3/main form.
 */
export type GoType =
  | 'string'
  | '*string'
  | 'int'
  | 'int32'
  | '*int32'
  | 'int64'
  | 'uint32'
  | 'bool'
  | '[]string'
  | '[]int64'
  | '[]*sdkws.UserInfo'
  | '[]*apistruct.GroupAddMemberInfo';

export type GoField = readonly [key: string, type: GoType];

export interface GoStruct {
  /** Repository, tag/branch, file and type the fields were read from. */
  source: string;
  fields: readonly GoField[];
  /** Values OpenIM always sends for a field (its call site never sets it, or allows one value). */
  fixed?: Record<string, unknown>;
  /** How other releases encode the body, when they do it differently. */
  versions?: string;
}

const CALLBACK_COMMAND: GoField = ['callbackCommand', 'string'];

/** open-im-server v3.8.3 / main pkg/callbackstruct/common.go CommonCallbackReq. */
const commonCallbackReq: readonly GoField[] = [
  ['sendID', 'string'],
  CALLBACK_COMMAND,
  ['serverMsgID', 'string'],
  ['clientMsgID', 'string'],
  ['operationID', 'string'],
  ['senderPlatformID', 'int32'],
  ['senderNickname', 'string'],
  ['sessionType', 'int32'],
  ['msgFrom', 'int32'],
  ['contentType', 'int32'],
  ['status', 'int32'],
  ['sendTime', 'int64'],
  ['createTime', 'int64'],
  ['content', 'string'],
  ['seq', 'uint32'],
  ['atUserList', '[]string'],
  ['faceURL', 'string'],
  ['ex', 'string'],
];
const NO_SEND_TIME = 'v3.7.0–v3.8.0: CommonCallbackReq has no sendTime (added in v3.8.1).';

/** open-im-server pkg/callbackstruct/common.go UserStatusBaseCallback + UserStatusCallbackReq.UserID. */
const userStatusCallbackReq: readonly GoField[] = [
  CALLBACK_COMMAND,
  ['operationID', 'string'],
  ['platformID', 'int'],
  ['platform', 'string'],
  ['userID', 'string'],
];

/** protocol sdkws/sdkws.pb.go GroupInfo (no omitempty in OpenIM's generated tags). */
const sdkwsGroupInfo: readonly GoField[] = [
  ['groupID', 'string'],
  ['groupName', 'string'],
  ['notification', 'string'],
  ['introduction', 'string'],
  ['faceURL', 'string'],
  ['ownerUserID', 'string'],
  ['createTime', 'int64'],
  ['memberCount', 'uint32'],
  ['ex', 'string'],
  ['status', 'int32'],
  ['creatorUserID', 'string'],
  ['groupType', 'int32'],
  ['needVerification', 'int32'],
  ['lookMemberInfo', 'int32'],
  ['applyMemberFriend', 'int32'],
  ['notificationUpdateTime', 'int64'],
  ['notificationUserID', 'string'],
];

/** Keys of the objects inside array fields. */
export const goElementStructs: Record<string, GoStruct> = {
  '[]*sdkws.UserInfo': {
    source: 'openimsdk/protocol v0.0.72-alpha.71 and main, sdkws/sdkws.pb.go UserInfo',
    fields: [
      ['userID', 'string'],
      ['nickname', 'string'],
      ['faceURL', 'string'],
      ['ex', 'string'],
      ['createTime', 'int64'],
      ['appMangerLevel', 'int32'],
      ['globalRecvMsgOpt', 'int32'],
    ],
  },
  '[]*apistruct.GroupAddMemberInfo': {
    source: 'openimsdk/open-im-server v3.8.3 and main, pkg/apistruct/public.go GroupAddMemberInfo',
    fields: [
      ['userID', 'string'],
      ['roleLevel', 'int32'],
    ],
  },
};

const server = (file: string, type: string, refs = 'v3.8.3 and main') =>
  `openimsdk/open-im-server ${refs}, ${file} ${type}`;
const group = (type: string) => server('pkg/callbackstruct/group.go', type);
const friend = (type: string) => server('pkg/callbackstruct/friend.go', type);
const user = (type: string) => server('pkg/callbackstruct/user.go', type);

/** Every after-callback of the catalog, by canonical command. */
export const goStructs: Record<string, GoStruct> = {
  callbackAfterJoinGroupCommand: {
    source: group('CallbackAfterJoinGroupReq'),
    fields: [
      CALLBACK_COMMAND,
      ['operationID', 'string'],
      ['groupID', 'string'],
      ['reqMessage', 'string'],
      ['joinSource', 'int32'],
      ['inviterUserID', 'string'],
    ],
  },
  callbackAfterMemberJoinGroupCommand: {
    source:
      'OpenIM docs page "Callback After a User Joins a Group" (no Go struct sends it; the same keys as ' +
      'open-im-server v3.7.0 pkg/callbackstruct/group.go CallbackBeforeMemberJoinGroupReq)',
    fields: [CALLBACK_COMMAND, ['groupID', 'string'], ['userID', 'string'], ['ex', 'string'], ['groupEx', 'string']],
  },
  callbackAfterQuitGroupCommand: {
    source: group('CallbackQuitGroupReq'),
    fields: [CALLBACK_COMMAND, ['groupID', 'string'], ['userID', 'string']],
  },
  callbackAfterKickGroupCommand: {
    source: group('CallbackKillGroupMemberReq'),
    fields: [CALLBACK_COMMAND, ['groupID', 'string'], ['kickedUserIDs', '[]string'], ['reason', 'string']],
    versions: 'v3.7.0–v3.8.0 declare reason but never fill it: always "".',
  },
  callbackAfterDisMissGroupCommand: {
    source: group('CallbackDisMissGroupReq'),
    fields: [
      CALLBACK_COMMAND,
      ['groupID', 'string'],
      ['ownerID', 'string'],
      // string(group.GroupType): the int32 read as a rune, "\u0002" for a working group.
      ['groupType', 'string'],
      ['membersID', '[]string'],
    ],
  },
  callbackAfterCreateGroupCommand: {
    source: `${group('CallbackAfterCreateGroupReq')} (embeds *sdkws.GroupInfo)`,
    fields: [CALLBACK_COMMAND, ...sdkwsGroupInfo, ['initMemberList', '[]*apistruct.GroupAddMemberInfo']],
    // internal/rpc/group/group.go CreateGroup refuses any type but constant.WorkingGroup.
    fixed: { groupType: 2 },
  },
  callbackAfterTransferGroupOwnerCommand: {
    source: group('CallbackTransferGroupOwnerReq'),
    fields: [CALLBACK_COMMAND, ['groupID', 'string'], ['oldOwnerUserID', 'string'], ['newOwnerUserID', 'string']],
  },
  callbackAfterSetGroupMemberInfoCommand: {
    source: group('CallbackAfterSetGroupMemberInfoReq'),
    fields: [
      CALLBACK_COMMAND,
      ['groupID', 'string'],
      ['userID', 'string'],
      ['nickName', '*string'],
      ['faceURL', '*string'],
      ['roleLevel', '*int32'],
      ['ex', '*string'],
    ],
  },
  callbackAfterUserRegisterCommand: {
    source: user('CallbackAfterUserRegisterReq'),
    fields: [CALLBACK_COMMAND, ['users', '[]*sdkws.UserInfo']],
    versions: 'v3.7.0–v3.8.0: a "secret" (string) key between callbackCommand and users.',
  },
  callbackAfterUpdateUserInfoCommand: {
    source: user('CallbackAfterUpdateUserInfoReq'),
    fields: [CALLBACK_COMMAND, ['userID', 'string'], ['nickName', 'string'], ['faceURL', 'string'], ['ex', 'string']],
    // internal/rpc/user/callback.go webhookAfterUpdateUserInfo never sets Ex.
    fixed: { ex: '' },
  },
  callbackAfterUpdateUserInfoExCommand: {
    source: user('CallbackAfterUpdateUserInfoExReq'),
    // *wrapperspb.StringValue marshals as a bare string or null.
    fields: [
      CALLBACK_COMMAND,
      ['userID', 'string'],
      ['nickName', '*string'],
      ['faceURL', '*string'],
      ['ex', '*string'],
    ],
    // internal/rpc/user/callback.go webhookAfterUpdateUserInfoEx never sets Ex.
    fixed: { ex: null },
  },
  callbackAfterUserOnlineCommand: {
    source: server('pkg/callbackstruct/msg_gateway.go', 'CallbackUserOnlineReq (embeds UserStatusCallbackReq)'),
    fields: [...userStatusCallbackReq, ['seq', 'int64'], ['isAppBackground', 'bool'], ['connID', 'string']],
    fixed: { connID: '' },
    versions:
      'v3.8.2+ and main report from internal/msggateway/online.go: operationID "p_<pid>_<n>", connID always "" ' +
      "(UserOnlineStatus.ConnID is never filled). v3.7.x: the connection's operationID and connID. " +
      'v3.8.0–v3.8.1 send no presence callbacks.',
  },
  callbackAfterUserOfflineCommand: {
    source: server('pkg/callbackstruct/msg_gateway.go', 'CallbackUserOfflineReq (embeds UserStatusCallbackReq)'),
    fields: [...userStatusCallbackReq, ['seq', 'int64'], ['connID', 'string']],
    fixed: { connID: '' },
    versions: 'As callbackAfterUserOnlineCommand.',
  },
  callbackAfterUserKickOffCommand: {
    source: server('pkg/callbackstruct/msg_gateway.go', 'CallbackUserKickOffReq (embeds UserStatusCallbackReq)'),
    fields: [...userStatusCallbackReq, ['seq', 'int64']],
    versions: 'Declared in v3.7.0–main, but no release calls webhookAfterUserKickOff.',
  },
  callbackAfterAddFriendCommand: {
    source: friend('CallbackAfterAddFriendReq'),
    fields: [CALLBACK_COMMAND, ['fromUserID', 'string'], ['toUserID', 'string'], ['reqMsg', 'string']],
  },
  callbackAfterAddFriendAgreeCommand: {
    source: friend('CallbackAfterAddFriendAgreeReq'),
    fields: [
      CALLBACK_COMMAND,
      ['fromUserID', 'string'],
      ['blackUserID', 'string'],
      ['HandleResult', 'int32'],
      ['HandleMsg', 'string'],
    ],
    versions: 'Added in v3.8.1.',
  },
  callbackAfterDeleteFriendCommand: {
    source: friend('CallbackAfterDeleteFriendReq'),
    fields: [CALLBACK_COMMAND, ['ownerUserID', 'string'], ['friendUserID', 'string']],
  },
  callbackAfterImportFriendsCommand: {
    source: friend('CallbackAfterImportFriendsReq'),
    fields: [CALLBACK_COMMAND, ['ownerUserID', 'string'], ['friendUserIDs', '[]string']],
  },
  callbackAfterSetFriendRemarkCommand: {
    source: friend('CallbackAfterSetFriendRemarkReq'),
    fields: [CALLBACK_COMMAND, ['ownerUserID', 'string'], ['friendUserID', 'string'], ['remark', 'string']],
  },
  callbackAfterRemoveBlackCommand: {
    source: friend('CallbackAfterRemoveBlackReq'),
    fields: [CALLBACK_COMMAND, ['ownerUserID', 'string'], ['blackUserID', 'string']],
  },
  callbackAfterSetGroupInfoCommand: {
    source: group('CallbackAfterSetGroupInfoReq'),
    fields: [
      CALLBACK_COMMAND,
      ['operationID', 'string'],
      ['groupID', 'string'],
      ['groupName', 'string'],
      ['notification', 'string'],
      ['introduction', 'string'],
      ['faceURL', 'string'],
      ['ex', '*string'],
      ['needVerification', '*int32'],
      ['lookMemberInfo', '*int32'],
      ['applyMemberFriend', '*int32'],
    ],
    // internal/rpc/group/callback.go webhookAfterSetGroupInfo never sets OperationID.
    fixed: { operationID: '' },
  },
  callbackAfterSetGroupInfoExCommand: {
    source: group('CallbackAfterSetGroupInfoExReq'),
    // Wrappers marshal as bare values or null.
    fields: [
      CALLBACK_COMMAND,
      ['operationID', 'string'],
      ['groupID', 'string'],
      ['groupName', '*string'],
      ['notification', '*string'],
      ['introduction', '*string'],
      ['faceURL', '*string'],
      ['ex', '*string'],
      ['needVerification', '*int32'],
      ['lookMemberInfo', '*int32'],
      ['applyMemberFriend', '*int32'],
    ],
    // internal/rpc/group/callback.go webhookAfterSetGroupInfoEx never sets OperationID.
    fixed: { operationID: '' },
    versions: 'Added in v3.8.1.',
  },
  callbackAfterSendSingleMsgCommand: {
    source: server('pkg/callbackstruct/message.go', 'CallbackAfterSendSingleMsgReq (embeds CommonCallbackReq)'),
    fields: [...commonCallbackReq, ['recvID', 'string']],
    versions: NO_SEND_TIME,
  },
  callbackAfterSendGroupMsgCommand: {
    source: server('pkg/callbackstruct/message.go', 'CallbackAfterSendGroupMsgReq (embeds CommonCallbackReq)'),
    fields: [...commonCallbackReq, ['groupID', 'string']],
    versions: NO_SEND_TIME,
  },
  callbackAfterMsgSaveDBCommand: {
    source: server('pkg/callbackstruct/message.go', 'CallbackAfterMsgSaveDBReq (embeds CommonCallbackReq)', 'main'),
    // internal/msgtransfer/callback.go fills recvID for single and notification chats, groupID for groups.
    fields: [...commonCallbackReq, ['recvID', 'string'], ['groupID', 'string']],
    versions: 'Only on main (since 2025-11); no release sends it.',
  },
  callbackAfterSingleMsgReadCommand: {
    source: server('pkg/callbackstruct/message.go', 'CallbackSingleMsgReadReq'),
    fields: [
      CALLBACK_COMMAND,
      ['conversationID', 'string'],
      ['userID', 'string'],
      ['Seqs', '[]int64'],
      ['contentType', 'int32'],
    ],
  },
  callbackAfterGroupMsgReadCommand: {
    source: server('pkg/callbackstruct/message.go', 'CallbackGroupMsgReadReq'),
    fields: [
      CALLBACK_COMMAND,
      ['sendID', 'string'],
      ['receiveID', 'string'],
      ['unreadMsgNum', 'int64'],
      ['contentType', 'int64'],
    ],
  },
  callbackBeforeAfterMsgCommand: {
    source: server('pkg/callbackstruct/revoke.go', 'CallbackAfterRevokeMsgReq'),
    fields: [CALLBACK_COMMAND, ['conversationID', 'string'], ['seq', 'int64'], ['userID', 'string']],
  },
  callbackAfterCreateSingleChatConversationsCommand: {
    source: server('pkg/callbackstruct/conversation.go', 'CallbackAfterCreateSingleChatConversationsReq', 'main'),
    fields: [
      CALLBACK_COMMAND,
      ['ownerUserId', 'string'],
      ['conversationId', 'string'],
      ['conversationType', 'int32'],
      ['userId', 'string'],
      ['recvMsgOpt', 'int32'],
      ['isPinned', 'bool'],
      ['isPrivateChat', 'bool'],
      ['burnDuration', 'int32'],
      ['groupAtType', 'int32'],
      ['attachedInfo', 'string'],
      ['ex', 'string'],
    ],
    versions: 'Only on main. From 2025-03 (b969827b9) to 2025-10 (7d6682ca4) the same fields were snake_case.',
  },
  callbackAfterCreateGroupChatConversationsCommand: {
    source: server('pkg/callbackstruct/conversation.go', 'CallbackAfterCreateGroupChatConversationsReq', 'main'),
    fields: [
      CALLBACK_COMMAND,
      ['ownerUserId', 'string'],
      ['conversationId', 'string'],
      ['conversationType', 'int32'],
      ['groupId', 'string'],
      ['recvMsgOpt', 'int32'],
      ['isPinned', 'bool'],
      ['isPrivateChat', 'bool'],
      ['burnDuration', 'int32'],
      ['groupAtType', 'int32'],
      ['attachedInfo', 'string'],
      ['ex', 'string'],
    ],
    // internal/rpc/conversation/conversation.go CreateGroupChatConversations: no owner, type ReadGroupChatType.
    fixed: { ownerUserId: '', conversationType: 3 },
    versions: 'As callbackAfterCreateSingleChatConversationsCommand.',
  },
};
