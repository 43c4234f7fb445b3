import { z } from 'zod';
import { defineCommand } from '../define-command.js';
import { AnyString, OptionalInt64, OptionalString, orNull, StringList, unique } from '../primitives.js';

// Every body carries `callbackCommand`; the catalog checks it against the URL.
// No projection keys on friend events: their ids (Go strings) may be any
// string, as OpenIM puts no limit on user ids.
const base = { callbackCommand: z.string() };
const owned = { ...base, ownerUserID: AnyString };

/** Fired when the application is made, not when it is accepted. */
export const addFriend = defineCommand({
  command: 'callbackAfterAddFriendCommand',
  aliases: [],
  category: 'friend',
  volume: 'normal',
  summary: 'A user asked another to be friends',
  schema: z.looseObject({ ...base, fromUserID: AnyString, toUserID: AnyString, reqMsg: OptionalString }),
  normalize: (body) => ({
    type: 'friend.application.added',
    fromUserID: body.fromUserID,
    toUserID: body.toUserID,
    reqMessage: orNull(body.reqMsg),
  }),
});

// OpenIM reuses a struct whose JSON names do not fit: `blackUserID` holds the
// user who answered the application, and the answer is `HandleResult`/`HandleMsg`.
export const addFriendAgree = defineCommand({
  command: 'callbackAfterAddFriendAgreeCommand',
  aliases: [],
  category: 'friend',
  volume: 'normal',
  summary: 'A friend application was accepted (blackUserID is the accepting user)',
  schema: z.looseObject({
    ...base,
    fromUserID: AnyString,
    blackUserID: AnyString,
    HandleResult: OptionalInt64,
    HandleMsg: OptionalString,
  }),
  normalize: (body) => ({
    type: 'friend.application.agreed',
    fromUserID: body.fromUserID,
    toUserID: body.blackUserID,
    handleResult: orNull(body.HandleResult),
    handleMessage: orNull(body.HandleMsg),
  }),
});

export const deleteFriend = defineCommand({
  command: 'callbackAfterDeleteFriendCommand',
  aliases: [],
  category: 'friend',
  volume: 'normal',
  summary: 'A user removed a friend',
  schema: z.looseObject({ ...owned, friendUserID: AnyString }),
  normalize: (body) => ({ type: 'friend.deleted', ownerUserID: body.ownerUserID, friendUserID: body.friendUserID }),
});

export const importFriends = defineCommand({
  command: 'callbackAfterImportFriendsCommand',
  aliases: [],
  category: 'friend',
  volume: 'normal',
  summary: 'An admin imported friends for a user',
  schema: z.looseObject({ ...owned, friendUserIDs: StringList }),
  normalize: (body) => ({
    type: 'friends.imported',
    ownerUserID: body.ownerUserID,
    friendUserIDs: unique(body.friendUserIDs),
  }),
});

export const setFriendRemark = defineCommand({
  command: 'callbackAfterSetFriendRemarkCommand',
  // v3.5/v3.6 spelling.
  aliases: ['callbackAfterSetFriendRemark'],
  category: 'friend',
  volume: 'normal',
  summary: 'A user set the remark (alias) of a friend',
  schema: z.looseObject({ ...owned, friendUserID: AnyString, remark: OptionalString }),
  normalize: (body) => ({
    type: 'friend.remark.set',
    ownerUserID: body.ownerUserID,
    friendUserID: body.friendUserID,
    remark: orNull(body.remark),
  }),
});

export const removeBlack = defineCommand({
  command: 'callbackAfterRemoveBlackCommand',
  aliases: [],
  category: 'friend',
  volume: 'normal',
  summary: 'A user took another off their blocklist',
  schema: z.looseObject({ ...owned, blackUserID: AnyString }),
  normalize: (body) => ({ type: 'black.removed', ownerUserID: body.ownerUserID, blackUserID: body.blackUserID }),
});

export const friendCommands = [
  addFriend,
  addFriendAgree,
  deleteFriend,
  importFriends,
  setFriendRemark,
  removeBlack,
] as const;
