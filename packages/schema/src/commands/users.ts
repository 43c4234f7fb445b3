import { z } from 'zod';
import { defineCommand } from '../define-command.js';
import {
  blankToNull,
  exactInt,
  Id,
  msInstant,
  OptionalBool,
  OptionalInt32,
  OptionalInt64,
  OptionalString,
  orNull,
} from '../primitives.js';

// Every body carries `callbackCommand`; the catalog checks it against the URL.
const base = { callbackCommand: z.string() };

// sdkws.UserInfo as the admin's register request gave it (OpenIM checks only the
// userIDs): every field is sent, zero values included. `createTime` is the
// request's value, not OpenIM's (it stores its own clock), so any int64 can arrive.
const RegisteredUser = z.looseObject({
  userID: Id,
  nickname: OptionalString,
  faceURL: OptionalString,
  ex: OptionalString,
  createTime: OptionalInt64,
});

export const userRegister = defineCommand({
  command: 'callbackAfterUserRegisterCommand',
  aliases: [],
  category: 'user',
  volume: 'normal',
  summary: 'Users were registered (by the admin API)',
  schema: z.looseObject({
    ...base,
    users: z
      .array(RegisteredUser)
      .nullish()
      .transform((users) => users ?? []),
  }),
  normalize: (body) => ({
    type: 'user.registered',
    users: body.users.map((user) => ({
      userID: user.userID,
      nickname: blankToNull(user.nickname),
      faceURL: blankToNull(user.faceURL),
      ex: blankToNull(user.ex),
      createTime: msInstant(user.createTime),
    })),
  }),
});

const UserInfo = z.looseObject({
  ...base,
  userID: Id,
  nickName: OptionalString,
  faceURL: OptionalString,
  ex: OptionalString,
});

// The old update sends plain strings where "" means "not changed" (OpenIM
// only stores non-empty ones), so "" reads as null here.
export const updateUserInfo = defineCommand({
  command: 'callbackAfterUpdateUserInfoCommand',
  aliases: [],
  category: 'user',
  volume: 'normal',
  summary: "A user's nickname, face URL or ex changed (empty = unchanged)",
  schema: UserInfo,
  normalize: (body) => ({
    type: 'user.info.updated',
    userID: body.userID,
    nickname: blankToNull(body.nickName),
    faceURL: blankToNull(body.faceURL),
    ex: blankToNull(body.ex),
  }),
});

// The Ex update sends wrappers: `null` is unchanged and "" is a cleared value.
export const updateUserInfoEx = defineCommand({
  command: 'callbackAfterUpdateUserInfoExCommand',
  aliases: [],
  category: 'user',
  volume: 'normal',
  summary: "A user's nickname, face URL or ex changed (null = unchanged)",
  schema: UserInfo,
  normalize: (body) => ({
    type: 'user.info.updated',
    userID: body.userID,
    nickname: orNull(body.nickName),
    faceURL: orNull(body.faceURL),
    ex: orNull(body.ex),
  }),
});

// OpenIM's UserStatusCallbackReq, flattened by Go's encoder. The presence
// projection keys on the user and the platform (an int32) and orders by `seq`.
const Status = z.looseObject({
  ...base,
  userID: Id,
  platformID: OptionalInt32,
  platform: OptionalString,
  seq: OptionalInt64,
  isAppBackground: OptionalBool,
  connID: OptionalString,
});

function presence(command: string, alias: string, online: boolean) {
  return defineCommand({
    command,
    aliases: [alias],
    category: 'user',
    volume: 'high',
    summary: online
      ? 'A user is online on a platform (repeated for connections already up)'
      : 'A user went offline on a platform',
    schema: Status,
    normalize: (body) => ({
      type: 'user.presence',
      userID: body.userID,
      online,
      platformID: orNull(body.platformID),
      platform: blankToNull(body.platform),
      seq: exactInt(body.seq),
      isAppBackground: orNull(body.isAppBackground),
      connID: blankToNull(body.connID),
    }),
  });
}

export const userOnline = presence('callbackAfterUserOnlineCommand', 'callbackUserOnlineCommand', true);
export const userOffline = presence('callbackAfterUserOfflineCommand', 'callbackUserOfflineCommand', false);

export const userKickOff = defineCommand({
  command: 'callbackAfterUserKickOffCommand',
  aliases: ['callbackUserKickOffCommand'],
  category: 'user',
  volume: 'high',
  summary: "OpenIM forced a user's connection off a platform",
  schema: Status,
  normalize: (body) => ({
    type: 'user.kicked.off',
    userID: body.userID,
    platformID: orNull(body.platformID),
    platform: blankToNull(body.platform),
    seq: exactInt(body.seq),
  }),
});

export const userCommands = [
  userRegister,
  updateUserInfo,
  updateUserInfoEx,
  userOnline,
  userOffline,
  userKickOff,
] as const;
