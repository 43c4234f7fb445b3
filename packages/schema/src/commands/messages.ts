import { z } from 'zod';
import { defineCommand } from '../define-command.js';
import type { MessageFields } from '../events.js';
import { blankToNull, Id, IdList, IntList, OptionalInt, OptionalString, orNull } from '../primitives.js';

// Every body carries `callbackCommand`; the catalog checks it against the URL.
const base = { callbackCommand: z.string() };

// OpenIM's CommonCallbackReq. `seq`, `sendTime` and `createTime` are Go
// integers that fit a double today (sequences, ms clocks).
const common = {
  ...base,
  sendID: Id,
  serverMsgID: Id,
  clientMsgID: OptionalString,
  senderPlatformID: OptionalInt,
  senderNickname: OptionalString,
  sessionType: OptionalInt,
  msgFrom: OptionalInt,
  contentType: OptionalInt,
  status: OptionalInt,
  sendTime: OptionalInt,
  createTime: OptionalInt,
  content: OptionalString,
  seq: OptionalInt,
  atUserList: IdList,
  faceURL: OptionalString,
  ex: OptionalString,
};

const Common = z.looseObject({ ...common, recvID: OptionalString, groupID: OptionalString });
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
  schema: z.looseObject({ ...common, recvID: Id }),
  normalize: (body) => ({ type: 'message.sent', ...messageFields(body) }),
});

export const sendGroupMsg = defineCommand({
  command: 'callbackAfterSendGroupMsgCommand',
  aliases: [],
  category: 'message',
  volume: 'high',
  summary: 'A group message was sent',
  schema: z.looseObject({ ...common, groupID: Id }),
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
  schema: z.looseObject({ ...base, conversationID: Id, userID: Id, Seqs: IntList, contentType: OptionalInt }),
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
    sendID: Id,
    receiveID: OptionalString,
    unreadMsgNum: OptionalInt,
    contentType: OptionalInt,
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
  schema: z.looseObject({ ...base, conversationID: Id, seq: z.number().int(), userID: Id }),
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
