export type { CallbackCheck, Catalog, CheckedCallback, CheckFailure, CommandLookup } from './catalog.js';
export { commandDefinitions, createCatalog, findCommand } from './catalog.js';
export type { CommandCategory, CommandDefinition, CommandVolume } from './define-command.js';
export { defineCommand } from './define-command.js';
export { eventGroupID } from './event-group-id.js';
export type {
  BlackRemoved,
  CallbackEvent,
  CallbackEventType,
  ConversationCreated,
  ConversationEvent,
  FriendApplicationAdded,
  FriendApplicationAgreed,
  FriendDeleted,
  FriendEvent,
  FriendRemarkSet,
  FriendsImported,
  GroupCreated,
  GroupDismissed,
  GroupEvent,
  GroupInfoSet,
  GroupMembershipEvent,
  GroupMessagesRead,
  GroupOwnerTransferred,
  MemberInfoSet,
  MemberJoined,
  MemberQuit,
  MembersKicked,
  MessageEvent,
  MessageFields,
  MessageRevoked,
  MessageSaved,
  MessageSent,
  RegisteredUser,
  SingleMessagesRead,
  UserEvent,
  UserInfoUpdated,
  UserKickedOff,
  UserPresence,
  UsersRegistered,
} from './events.js';
export { RoleLevel } from './events.js';
export { goJson } from './go-json.js';
export type { JsonBody, JsonBodyFailure } from './json-body.js';
export { exactPayloadText, MAX_JSON_DEPTH, parseJsonBody } from './json-body.js';
export type { Result } from './result.js';
export { fail, ok } from './result.js';
