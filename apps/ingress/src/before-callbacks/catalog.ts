/**
 * A request field that OpenIM overwrites with the answer's value even when
 * the answer leaves it out, so a "continue" must send it back as received.
 * `type` is the Go type of the answer's field: what it can carry without
 * OpenIM failing to decode the answer.
 */
export interface EchoField {
  readonly name: string;
  readonly type: 'string' | 'string-or-null' | 'int32-or-null';
}

/** One of OpenIM's before-callbacks: OpenIM waits for its answer and obeys it. */
export interface BeforeCallback {
  /** The `callbackCommand` OpenIM main sends; metrics and logs use it for every spelling. */
  readonly command: string;
  /** Older spellings of the same callback. */
  readonly aliases: readonly string[];
  /** What a "continue" echoes for this spelling; empty for most. */
  readonly echo: readonly EchoField[];
}

/** A catalog entry: a before-callback and how its older spellings differ. */
export interface BeforeCallbackDefinition extends BeforeCallback {
  /** What the aliases echo instead, where older servers apply the answer differently. */
  readonly aliasEcho?: readonly EchoField[];
}

// open-im-server v3.4.2 to v3.6.0 internal/rpc/friend/callback.go apply
// `NotNilReplace(&req.Remark, &resp.Remark)`: the answer's remark always wins,
// so leaving it out clears the user's remark. v3.7.0 and later keep the
// request's remark when the answer's is "" (internal/rpc/relation/callback.go).
const REMARK: readonly EchoField[] = [{ name: 'remark', type: 'string' }];

// Every open-im-server from v3.5.1 to main applies `NotNilReplace(&req.X,
// &resp.X)` to these four plain strings of CallbackBeforeSetGroupInfoResp:
// the answer always overwrites them, "" or absent included (a missing groupID
// makes the update fail with "group not found"). Its ex, needVerification,
// lookMemberInfo and applyMemberFriend are pointers applied only when not null,
// and the request sends "" or 0 for them when unset, so echoing those would
// write "" or 0 into the group; they are left out. [internal/rpc/group/callback.go
// webhookBeforeSetGroupInfo; pkg/callbackstruct/group.go]
const SET_GROUP_INFO: readonly EchoField[] = [
  { name: 'groupID', type: 'string' },
  { name: 'groupName', type: 'string' },
  { name: 'introduction', type: 'string' },
  { name: 'faceURL', type: 'string' },
];

// v3.8.1 to main apply `NotNilReplace(&req.X, &resp.X)` to all eight, where
// all but groupID are wrapperspb pointers (bare JSON values or null): an absent
// or null answer field sets the request's to nil, which drops that change, so
// each is echoed exactly, null kept as null. notification is never applied.
// [internal/rpc/group/callback.go webhookBeforeSetGroupInfoEx; openimsdk/protocol wrapperspb]
const SET_GROUP_INFO_EX: readonly EchoField[] = [
  { name: 'groupID', type: 'string' },
  { name: 'groupName', type: 'string-or-null' },
  { name: 'faceURL', type: 'string-or-null' },
  { name: 'introduction', type: 'string-or-null' },
  { name: 'ex', type: 'string-or-null' },
  { name: 'needVerification', type: 'int32-or-null' },
  { name: 'lookMemberInfo', type: 'int32-or-null' },
  { name: 'applyMemberFriend', type: 'int32-or-null' },
];

function define(command: string, aliases: string[] = [], echo: readonly EchoField[] = []): BeforeCallbackDefinition {
  return { command, aliases, echo };
}

/**
 * Every before-callback OpenIM sends: the 23 of open-im-server main
 * (pkg/callbackstruct/constant.go, each called from internal/), plus the
 * spellings v3.4.2 to v3.6 used until v3.7.0 renamed them, and v3.6/v3.7's
 * one-call-per-member join (v3.8.0 batched it and renamed it). For all but
 * the echoing ones the answer's fields are pointers, lists or strings that
 * OpenIM applies only when non-null or non-empty, so the five common fields
 * alone leave the request unchanged.
 */
export const beforeCallbacks: readonly BeforeCallbackDefinition[] = [
  // Messages [internal/rpc/msg/callback.go]
  define('callbackBeforeSendSingleMsgCommand'),
  define('callbackBeforeSendGroupMsgCommand'),
  define('callbackBeforeMsgModifyCommand', ['callbackMsgModifyCommand']),
  // Push [internal/push/callback.go]
  define('callbackBeforeOnlinePushCommand', ['callbackOnlinePushCommand']),
  define('callbackBeforeOfflinePushCommand', ['callbackOfflinePushCommand']),
  define('callbackBeforeGroupOnlinePushCommand', ['callbackSuperGroupOnlinePushCommand']),
  // Users [internal/rpc/user/callback.go]
  define('callbackBeforeUpdateUserInfoCommand'),
  define('callbackBeforeUpdateUserInfoExCommand'),
  define('callbackBeforeUserRegisterCommand'),
  // Friends [internal/rpc/relation/callback.go; v3.6: internal/rpc/friend/callback.go]
  define('callbackBeforeAddFriendCommand'),
  define('callbackBeforeAddFriendAgreeCommand'),
  define('callbackBeforeImportFriendsCommand'),
  { ...define('callbackBeforeSetFriendRemarkCommand', ['callbackBeforeSetFriendRemark']), aliasEcho: REMARK },
  define('callbackBeforeAddBlackCommand'),
  // Groups [internal/rpc/group/callback.go]
  define('callbackBeforeCreateGroupCommand'),
  define('callbackBeforeMembersJoinGroupCommand', ['callbackBeforeMemberJoinGroupCommand']),
  define('callbackBeforeSetGroupMemberInfoCommand'),
  define('callbackBeforeJoinGroupCommand'),
  define('callbackBeforeInviteJoinGroupCommand'),
  define('callbackBeforeSetGroupInfoCommand', [], SET_GROUP_INFO),
  define('callbackBeforeSetGroupInfoExCommand', [], SET_GROUP_INFO_EX),
  // Conversations, main only [internal/rpc/conversation/callback.go]
  define('callbackBeforeCreateSingleChatConversationsCommand'),
  define('callbackBeforeCreateGroupChatConversationsCommand'),
];

// OpenIM's docs capitalise the first letter of `callbackCommand` while its
// servers send lower camel case; both name the same command (as in
// packages/schema/src/catalog.ts for the after-callbacks).
function commandKey(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

const byKey = new Map<string, BeforeCallback>();
for (const { aliasEcho, ...definition } of beforeCallbacks) {
  byKey.set(commandKey(definition.command), definition);
  const alias = aliasEcho ? { ...definition, echo: aliasEcho } : definition;
  for (const name of definition.aliases) byKey.set(commandKey(name), alias);
}

/** The before-callback a command string names (any spelling, first letter in either case), if any. */
export function findBeforeCallback(name: string): BeforeCallback | undefined {
  return byKey.get(commandKey(name));
}
