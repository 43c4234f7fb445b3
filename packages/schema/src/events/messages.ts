/**
 * The fields OpenIM sends with every message callback (its `CommonCallbackReq`).
 * Ids are client data, as sent: any string, empty ones included. Go's int64s
 * beyond 2^53 (clients set `sendTime` and `createTime`) arrive rounded to the
 * nearest double; the payload has the same rounding.
 */
export interface MessageFields {
  sendID: string;
  /** The receiving user of a single chat; null for a group message. */
  recvID: string | null;
  /** The group of a group message; null for a single chat. */
  groupID: string | null;
  serverMsgID: string;
  clientMsgID: string | null;
  senderPlatformID: number | null;
  senderNickname: string | null;
  /** Sent by OpenIM as `faceURL`. */
  senderFaceURL: string | null;
  /** 1 single chat, 3 group chat, 4 notification. */
  sessionType: number | null;
  /** 100 user, 200 system. */
  msgFrom: number | null;
  /** 101 text, 102 picture, ... (OpenIM's content types). */
  contentType: number | null;
  status: number | null;
  /** Milliseconds since the epoch, as the sender's client stamped it. */
  sendTime: number | null;
  /** Milliseconds since the epoch, as the sender's client stamped it. */
  createTime: number | null;
  /**
   * The message's sequence in its conversation. The after-send callbacks fire
   * before OpenIM allocates it, so they carry 0; `message.saved` has the real one.
   */
  seq: number | null;
  /** The content as OpenIM sends it: usually JSON in a string. */
  content: string | null;
  /** Sent by OpenIM as `atUserList` (`null` reads as empty); entries as the client gave them, "" included. */
  atUserIDs: string[];
  ex: string | null;
}

/** A message was sent (OpenIM accepted it; it may not be stored yet). */
export interface MessageSent extends MessageFields {
  type: 'message.sent';
}

/** A message was stored: the last step, with its sequence number. */
export interface MessageSaved extends MessageFields {
  type: 'message.saved';
}

/** A user marked messages of a single chat as read. */
export interface SingleMessagesRead {
  type: 'message.read.single';
  conversationID: string;
  /** The reading user. */
  userID: string;
  /** Sent by OpenIM as `Seqs`. */
  seqs: number[];
  /** OpenIM fills the field it calls `contentType` with the conversation type (1 single chat). */
  conversationType: number | null;
}

/**
 * A user marked a group conversation as read. OpenIM's field names do not
 * say what it puts in them; the names here do.
 */
export interface GroupMessagesRead {
  type: 'message.read.group';
  /** The reading user (the conversation's owner), sent as `sendID`. */
  userID: string;
  /** As sent: OpenIM fills it with the reading user too; its docs call it the group. */
  receiveID: string | null;
  /** Read up to this sequence; OpenIM sends it as `unreadMsgNum`. */
  hasReadSeq: number | null;
  /** OpenIM fills the field it calls `contentType` with the conversation type (3 group chat). */
  conversationType: number | null;
}

export interface MessageRevoked {
  type: 'message.revoked';
  conversationID: string;
  seq: number;
  /** The user who revoked it. */
  userID: string;
}

export type MessageEvent = MessageSent | MessageSaved | SingleMessagesRead | GroupMessagesRead | MessageRevoked;
