import { z } from 'zod';
import { defineCommand } from '../define-command.js';
import type { MessageFields } from '../events.js';
import {
  AnyString,
  blankToNull,
  Int64,
  IntList,
  OptionalInt64,
  OptionalString,
  orNull,
  StringList,
} from '../primitives.js';

// Every body carries `callbackCommand`; the catalog checks it against the URL.
const base = { callbackCommand: z.string() };

// OpenIM's CommonCallbackReq, flattened, plus the receiver or group. No sink
// keys on message events, so every field takes what Go can send: ids and
// `atUserList` entries are client data (any string, "" too), `sendTime` and
// `createTime` are the client's int64s (any value; beyond 2^53 they arrive
// rounded), `seq` is 0 until OpenIM allocates it.
const Common = z.looseObject({
  ...base,
  sendID: AnyString,
  serverMsgID: AnyString,
  clientMsgID: OptionalString,
  senderPlatformID: OptionalInt64,
  senderNickname: OptionalString,
  sessionType: OptionalInt64,
  msgFrom: OptionalInt64,
  contentType: OptionalInt64,
  status: OptionalInt64,
  sendTime: OptionalInt64,
  createTime: OptionalInt64,
  content: OptionalString,
  seq: OptionalInt64,
  atUserList: StringList,
  faceURL: OptionalString,
  ex: OptionalString,
  recvID: OptionalString,
  groupID: OptionalString,
});
type Common = z.output<typeof Common>;

function messageFields(body: Common): MessageFields {
  return {
    sendID: body.sendID,
    recvID: blankToNull(body.recvID),
    groupID: blankToNull(body.groupID),
    serverMsgID: body.serverMsgID,
    clientMsgID: blankToNull(body.clientMsgID),
    senderPlatformID: orNull(body.senderPlatformID),
    senderNickname: orNull(body.senderNickname),
    senderFaceURL: orNull(body.faceURL),
    sessionType: orNull(body.sessionType),
    msgFrom: orNull(body.msgFrom),
    contentType: orNull(body.contentType),
    status: orNull(body.status),
    sendTime: orNull(body.sendTime),
    createTime: orNull(body.createTime),
    seq: orNull(body.seq),
    content: orNull(body.content),
    atUserIDs: body.atUserList,
    ex: orNull(body.ex),
  };
}

export const sendSingleMsg = defineCommand({
  command: 'callbackAfterSendSingleMsgCommand',
  aliases: [],
  category: 'message',
  volume: 'high',
  summary: 'A single-chat message was sent',
  schema: Common,
  normalize: (body) => ({ type: 'message.sent', ...messageFields(body) }),
});

export const sendGroupMsg = defineCommand({
  command: 'callbackAfterSendGroupMsgCommand',
  aliases: [],
  category: 'message',
  volume: 'high',
  summary: 'A group message was sent',
  schema: Common,
  normalize: (body) => ({ type: 'message.sent', ...messageFields(body) }),
});

// `recvID` or `groupID` is set depending on the session type.
export const msgSaveDB = defineCommand({
  command: 'callbackAfterMsgSaveDBCommand',
  aliases: [],
  category: 'message',
  volume: 'high',
  summary: 'A message was stored, with its sequence number',
  schema: Common,
  normalize: (body) => ({ type: 'message.saved', ...messageFields(body) }),
});

// `Seqs` is capitalised on the wire; `contentType` holds the conversation type.
export const singleMsgRead = defineCommand({
  command: 'callbackAfterSingleMsgReadCommand',
  // v3.5/v3.6 spelling.
  aliases: ['callbackSingleMsgRead'],
  category: 'message',
  volume: 'high',
  summary: 'A user read messages of a single chat',
  schema: z.looseObject({
    ...base,
    conversationID: AnyString,
    userID: AnyString,
    Seqs: IntList,
    contentType: OptionalInt64,
  }),
  normalize: (body) => ({
    type: 'message.read.single',
    conversationID: body.conversationID,
    userID: body.userID,
    seqs: body.Seqs,
    conversationType: orNull(body.contentType),
  }),
});

// OpenIM puts the reader in `sendID` (and in `receiveID`), the read-up-to
// sequence in `unreadMsgNum` and the conversation type in `contentType`.
export const groupMsgRead = defineCommand({
  command: 'callbackAfterGroupMsgReadCommand',
  aliases: ['callbackGroupMsgReadCommand'],
  category: 'message',
  volume: 'high',
  summary: 'A user read a group conversation (sendID is the reader)',
  schema: z.looseObject({
    ...base,
    sendID: AnyString,
    receiveID: OptionalString,
    unreadMsgNum: OptionalInt64,
    contentType: OptionalInt64,
  }),
  normalize: (body) => ({
    type: 'message.read.group',
    userID: body.sendID,
    receiveID: blankToNull(body.receiveID),
    hasReadSeq: orNull(body.unreadMsgNum),
    conversationType: orNull(body.contentType),
  }),
});

/** The revoke callback's command string really is `callbackBeforeAfterMsgCommand`. */
export const revokeMsg = defineCommand({
  command: 'callbackBeforeAfterMsgCommand',
  aliases: [],
  category: 'message',
  volume: 'high',
  summary: 'A message was revoked (the command string really says "BeforeAfter")',
  schema: z.looseObject({ ...base, conversationID: AnyString, seq: Int64, userID: AnyString }),
  normalize: (body) => ({
    type: 'message.revoked',
    conversationID: body.conversationID,
    seq: body.seq,
    userID: body.userID,
  }),
});

export const messageCommands = [
  sendSingleMsg,
  sendGroupMsg,
  msgSaveDB,
  singleMsgRead,
  groupMsgRead,
  revokeMsg,
] as const;
