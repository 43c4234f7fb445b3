/**
 * OpenIM created a conversation for a user: a single chat's two sides get
 * one callback each, a group chat one callback for the group.
 */
export interface ConversationCreated {
  type: 'conversation.created';
  conversationID: string;
  /** 1 single chat, 3 group chat, 4 notification. */
  conversationType: number | null;
  /** Whose conversation it is; sent as `ownerUserId` (or `owner_user_id`); null for a group chat's. */
  ownerUserID: string | null;
  /** The peer of a single chat. */
  userID: string | null;
  /** The group of a group chat. */
  groupID: string | null;
  recvMsgOpt: number | null;
  isPinned: boolean | null;
  isPrivateChat: boolean | null;
  burnDuration: number | null;
  groupAtType: number | null;
  attachedInfo: string | null;
  ex: string | null;
}

export type ConversationEvent = ConversationCreated;
