import { z } from 'zod';
import { defineCommand } from '../define-command.js';
import { firstSet, OptionalBool, OptionalInt, OptionalString } from '../primitives.js';

/**
 * OpenIM's source has spelt these bodies three ways since it added them
 * (2025): a short early form (`sendID`, `recvID`, `conversationID`; for a
 * group `userIDs`, `groupID`), camelCase with `ownerUserId`,
 * `conversationId`, `userId`, `groupId` (also its docs' form), and
 * snake_case (`owner_user_id`, ...; the newest structs add `max_seq`,
 * `create_time` and more, kept in the payload). Every spelling is read; the
 * camelCase one wins.
 */
const ConversationBody = z.looseObject({
  callbackCommand: z.string(),
  ownerUserId: OptionalString,
  owner_user_id: OptionalString,
  sendID: OptionalString,
  conversationId: OptionalString,
  conversation_id: OptionalString,
  conversationID: OptionalString,
  conversationType: OptionalInt,
  conversation_type: OptionalInt,
  userId: OptionalString,
  user_id: OptionalString,
  recvID: OptionalString,
  groupId: OptionalString,
  group_id: OptionalString,
  groupID: OptionalString,
  recvMsgOpt: OptionalInt,
  recv_msg_opt: OptionalInt,
  isPinned: OptionalBool,
  is_pinned: OptionalBool,
  isPrivateChat: OptionalBool,
  is_private_chat: OptionalBool,
  burnDuration: OptionalInt,
  burn_duration: OptionalInt,
  groupAtType: OptionalInt,
  group_at_type: OptionalInt,
  attachedInfo: OptionalString,
  attached_info: OptionalString,
  ex: OptionalString,
});
type ConversationBody = z.output<typeof ConversationBody>;

// The early group form names only the group; OpenIM's group conversations are "sg_" + groupID.
function conversationID(body: ConversationBody): string | null {
  const id = firstSet(body.conversationId, body.conversation_id, body.conversationID);
  const groupID = firstSet(body.groupId, body.group_id, body.groupID);
  return id ?? (groupID ? `sg_${groupID}` : null);
}

const Conversation = ConversationBody.refine((body) => conversationID(body) !== null, {
  path: ['conversationId'],
  message: 'a conversation id (conversationId, conversation_id or conversationID) or a group id is required',
});

function normalize(body: ConversationBody) {
  return {
    type: 'conversation.created' as const,
    conversationID: conversationID(body) ?? '',
    conversationType: firstSet(body.conversationType, body.conversation_type),
    ownerUserID: firstSet(body.ownerUserId, body.owner_user_id, body.sendID),
    userID: firstSet(body.userId, body.user_id, body.recvID),
    groupID: firstSet(body.groupId, body.group_id, body.groupID),
    recvMsgOpt: firstSet(body.recvMsgOpt, body.recv_msg_opt),
    isPinned: firstSet(body.isPinned, body.is_pinned),
    isPrivateChat: firstSet(body.isPrivateChat, body.is_private_chat),
    burnDuration: firstSet(body.burnDuration, body.burn_duration),
    groupAtType: firstSet(body.groupAtType, body.group_at_type),
    attachedInfo: firstSet(body.attachedInfo, body.attached_info),
    ex: firstSet(body.ex),
  };
}

export const createSingleChatConversations = defineCommand({
  command: 'callbackAfterCreateSingleChatConversationsCommand',
  aliases: [],
  category: 'conversation',
  volume: 'normal',
  summary: 'A single-chat conversation was created for one of its two users',
  schema: Conversation,
  normalize,
});

export const createGroupChatConversations = defineCommand({
  command: 'callbackAfterCreateGroupChatConversationsCommand',
  aliases: [],
  category: 'conversation',
  volume: 'normal',
  summary: "A group's conversation was created for its members",
  schema: Conversation,
  normalize,
});

export const conversationCommands = [createSingleChatConversations, createGroupChatConversations] as const;
