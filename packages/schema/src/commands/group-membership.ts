import { z } from 'zod';
import { defineCommand } from '../define-command.js';
import { RoleLevel } from '../events.js';
import { Id, IdList, OptionalInt, OptionalString, orNull, unique } from '../primitives.js';

// Every body carries `callbackCommand`; the catalog checks it against the URL.
const base = { callbackCommand: z.string(), groupID: Id };

/** The docs' form: the seed document's "after a user joins a group". */
export const memberJoinGroupDocs = defineCommand({
  command: 'callbackAfterMemberJoinGroupCommand',
  aliases: [],
  category: 'group-membership',
  volume: 'normal',
  summary: 'A user joined a group (form of the OpenIM docs: userID, ex, groupEx)',
  schema: z.looseObject({ ...base, userID: Id, ex: OptionalString, groupEx: OptionalString }),
  normalize: (body) => ({
    type: 'group.member.joined',
    groupID: body.groupID,
    userID: body.userID,
    joinSource: null,
    reqMessage: null,
    ex: orNull(body.ex),
    groupEx: orNull(body.groupEx),
  }),
});

/**
 * What OpenIM v3.7+ really sends on a direct join. `inviterUserID` holds the
 * user who joined: OpenIM creates the member row with that id.
 */
export const joinGroup = defineCommand({
  command: 'callbackAfterJoinGroupCommand',
  aliases: [],
  category: 'group-membership',
  volume: 'normal',
  summary: 'A user joined a group directly (inviterUserID is the joined user)',
  schema: z.looseObject({
    ...base,
    inviterUserID: Id,
    joinSource: OptionalInt,
    reqMessage: OptionalString,
  }),
  normalize: (body) => ({
    type: 'group.member.joined',
    groupID: body.groupID,
    userID: body.inviterUserID,
    joinSource: orNull(body.joinSource),
    reqMessage: orNull(body.reqMessage),
    ex: null,
    groupEx: null,
  }),
});

export const quitGroup = defineCommand({
  command: 'callbackAfterQuitGroupCommand',
  aliases: ['callbackQuitGroupCommand'],
  category: 'group-membership',
  volume: 'normal',
  summary: 'A member left a group',
  schema: z.looseObject({ ...base, userID: Id }),
  normalize: (body) => ({ type: 'group.member.quit', groupID: body.groupID, userID: body.userID }),
});

export const kickGroup = defineCommand({
  command: 'callbackAfterKickGroupCommand',
  aliases: ['callbackKillGroupCommand'],
  category: 'group-membership',
  volume: 'normal',
  summary: 'Members were removed from a group',
  schema: z.looseObject({ ...base, kickedUserIDs: IdList, reason: OptionalString }),
  normalize: (body) => ({
    type: 'group.members.kicked',
    groupID: body.groupID,
    userIDs: unique(body.kickedUserIDs),
    reason: orNull(body.reason),
  }),
});

// `groupType` in this body is not the group's type (OpenIM fills it with an
// unrelated string), so it is neither validated nor read.
export const dismissGroup = defineCommand({
  command: 'callbackAfterDisMissGroupCommand',
  aliases: ['callbackDisMissGroupCommand'],
  category: 'group-membership',
  volume: 'normal',
  summary: 'A group was dismissed; all its members are gone',
  schema: z.looseObject({ ...base, ownerID: OptionalString, membersID: IdList }),
  normalize: (body) => ({
    type: 'group.dismissed',
    groupID: body.groupID,
    ownerUserID: orNull(body.ownerID) || null,
    memberUserIDs: unique(body.membersID),
  }),
});

const InitMember = z.looseObject({ userID: Id, roleLevel: z.number().int() });

/** OpenIM lists the owner and admins twice; keep each user once, at their highest role. */
function dedupeMembers(list: ReadonlyArray<{ userID: string; roleLevel: number }>) {
  const roles = new Map<string, number>();
  for (const { userID, roleLevel } of list) {
    roles.set(userID, Math.max(roles.get(userID) ?? 0, roleLevel));
  }
  return [...roles].map(([userID, roleLevel]) => ({ userID, roleLevel }));
}

export const createGroup = defineCommand({
  command: 'callbackAfterCreateGroupCommand',
  aliases: [],
  category: 'group-membership',
  volume: 'normal',
  summary: 'A group was created with its initial members',
  schema: z.looseObject({
    ...base,
    groupName: OptionalString,
    ownerUserID: OptionalString,
    creatorUserID: OptionalString,
    createTime: OptionalInt,
    ex: OptionalString,
    initMemberList: z
      .array(InitMember)
      .nullish()
      .transform((list) => list ?? []),
  }),
  normalize: (body) => {
    const members = dedupeMembers(body.initMemberList);
    const owner = body.ownerUserID || null;
    // Older servers leave the owner out of initMemberList; the group still has one.
    if (owner && !members.some((m) => m.userID === owner)) {
      members.unshift({ userID: owner, roleLevel: RoleLevel.owner });
    }
    return {
      type: 'group.created',
      groupID: body.groupID,
      groupName: orNull(body.groupName),
      ownerUserID: owner,
      creatorUserID: body.creatorUserID || null,
      createTime: orNull(body.createTime),
      ex: orNull(body.ex),
      members,
    };
  },
});

export const transferGroupOwner = defineCommand({
  command: 'callbackAfterTransferGroupOwnerCommand',
  // v3.6 and v3.5 spellings.
  aliases: ['callbackAfterTransferGroupOwner', 'callbackTransferGroupOwnerAfter'],
  category: 'group-membership',
  volume: 'normal',
  summary: 'Group ownership moved from one member to another',
  schema: z.looseObject({ ...base, oldOwnerUserID: Id, newOwnerUserID: Id }),
  normalize: (body) => ({
    type: 'group.owner.transferred',
    groupID: body.groupID,
    oldOwnerUserID: body.oldOwnerUserID,
    newOwnerUserID: body.newOwnerUserID,
  }),
});

// Fields are `null` when unchanged; note OpenIM's `nickName` spelling.
export const setGroupMemberInfo = defineCommand({
  command: 'callbackAfterSetGroupMemberInfoCommand',
  aliases: [],
  category: 'group-membership',
  volume: 'normal',
  summary: "A member's group nickname, face, role or ex changed",
  schema: z.looseObject({
    ...base,
    userID: Id,
    nickName: OptionalString,
    faceURL: OptionalString,
    roleLevel: OptionalInt,
    ex: OptionalString,
  }),
  normalize: (body) => ({
    type: 'group.member.info.set',
    groupID: body.groupID,
    userID: body.userID,
    nickname: orNull(body.nickName),
    faceURL: orNull(body.faceURL),
    roleLevel: orNull(body.roleLevel),
    ex: orNull(body.ex),
  }),
});

export const groupMembershipCommands = [
  joinGroup,
  memberJoinGroupDocs,
  quitGroup,
  kickGroup,
  dismissGroup,
  createGroup,
  transferGroupOwner,
  setGroupMemberInfo,
] as const;
