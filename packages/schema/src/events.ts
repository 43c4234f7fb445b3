/**
 * Normalised events: what the worker applies. Field names are clear and
 * stable whatever spelling OpenIM used; `null` means "OpenIM did not say".
 * One file per domain under `events/`; this module is their union.
 */
import type { ConversationEvent } from './events/conversations.js';
import type { FriendEvent } from './events/friends.js';
import type { GroupMembershipEvent } from './events/group-membership.js';
import type { GroupEvent } from './events/groups.js';
import type { MessageEvent } from './events/messages.js';
import type { UserEvent } from './events/users.js';

export type { ConversationCreated, ConversationEvent } from './events/conversations.js';
export type {
  BlackRemoved,
  FriendApplicationAdded,
  FriendApplicationAgreed,
  FriendDeleted,
  FriendEvent,
  FriendRemarkSet,
  FriendsImported,
} from './events/friends.js';
export type {
  GroupCreated,
  GroupDismissed,
  GroupMembershipEvent,
  GroupOwnerTransferred,
  MemberInfoSet,
  MemberJoined,
  MemberQuit,
  MembersKicked,
} from './events/group-membership.js';
export { RoleLevel } from './events/group-membership.js';
export type { GroupEvent, GroupInfoSet } from './events/groups.js';
export type {
  GroupMessagesRead,
  MessageEvent,
  MessageFields,
  MessageRevoked,
  MessageSaved,
  MessageSent,
  SingleMessagesRead,
} from './events/messages.js';
export type {
  RegisteredUser,
  UserEvent,
  UserInfoUpdated,
  UserKickedOff,
  UserPresence,
  UsersRegistered,
} from './events/users.js';

export type CallbackEvent =
  | GroupMembershipEvent
  | UserEvent
  | FriendEvent
  | GroupEvent
  | MessageEvent
  | ConversationEvent;

export type CallbackEventType = CallbackEvent['type'];
