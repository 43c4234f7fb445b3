import { z } from 'zod';
import { defineCommand } from '../define-command.js';
import { AnyString, blankToNull, OptionalInt64, OptionalString, orNull } from '../primitives.js';

// Every body carries `callbackCommand`; the catalog checks it against the URL.
// No projection keys on group settings (the membership projection ignores
// them), so the group id is any string and the settings any integers.
const GroupInfo = z.looseObject({
  callbackCommand: z.string(),
  groupID: AnyString,
  groupName: OptionalString,
  notification: OptionalString,
  introduction: OptionalString,
  faceURL: OptionalString,
  ex: OptionalString,
  needVerification: OptionalInt64,
  lookMemberInfo: OptionalInt64,
  applyMemberFriend: OptionalInt64,
});

// The old setter sends the four texts as plain strings where "" means "not
// changed" (OpenIM only stores non-empty ones); the rest are nullable.
export const setGroupInfo = defineCommand({
  command: 'callbackAfterSetGroupInfoCommand',
  aliases: [],
  category: 'group',
  volume: 'normal',
  summary: "A group's name, notification, introduction, face, ex or settings changed",
  schema: GroupInfo,
  normalize: (body) => ({
    type: 'group.info.set',
    groupID: body.groupID,
    groupName: blankToNull(body.groupName),
    notification: blankToNull(body.notification),
    introduction: blankToNull(body.introduction),
    faceURL: blankToNull(body.faceURL),
    ex: orNull(body.ex),
    needVerification: orNull(body.needVerification),
    lookMemberInfo: orNull(body.lookMemberInfo),
    applyMemberFriend: orNull(body.applyMemberFriend),
  }),
});

// The Ex setter sends wrappers throughout: `null` is unchanged, "" is cleared.
export const setGroupInfoEx = defineCommand({
  command: 'callbackAfterSetGroupInfoExCommand',
  aliases: [],
  category: 'group',
  volume: 'normal',
  summary: "A group's info changed (null = unchanged, empty = cleared)",
  schema: GroupInfo,
  normalize: (body) => ({
    type: 'group.info.set',
    groupID: body.groupID,
    groupName: orNull(body.groupName),
    notification: orNull(body.notification),
    introduction: orNull(body.introduction),
    faceURL: orNull(body.faceURL),
    ex: orNull(body.ex),
    needVerification: orNull(body.needVerification),
    lookMemberInfo: orNull(body.lookMemberInfo),
    applyMemberFriend: orNull(body.applyMemberFriend),
  }),
});

export const groupCommands = [setGroupInfo, setGroupInfoEx] as const;
