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
type InitMember = z.infer<typeof InitMember>;

/**
 * The members OpenIM inserted, from `initMemberList`. OpenIM builds the list
 * as the owner at 100, each admin at 60, then every id of `userIDs` at 20,
 * where `userIDs` is members + admins + owner, plus the caller appended
 * when not already in it (only an IM admin can create a group it is not the
 * owner of). The rows it inserts are only the owner, the admins and the
 * members: the appended caller has none (open-im-server main, v3.8.3 and
 * v3.7.0: internal/rpc/group/group.go CreateGroup, callback.go
 * webhookAfterCreateGroup). So each id keeps its first entry (the owner's
 * 100, an admin's 60), and an entry after the owner's second one that
 * appears nowhere else is that caller, not a member. `userIDs` has no
 * duplicates (CreateGroup refuses them), so nothing else can follow the
 * owner's second entry there. Lists of other shapes (the owner listed
 * once, or not at all) keep every id.
 */
function initialMembers(list: readonly InitMember[], ownerUserID: string | null): InitMember[] {
  const owner = ownerUserID ?? list.find((m) => m.roleLevel === RoleLevel.owner)?.userID;
  const first = list.findIndex((m) => m.userID === owner);
  const repeat = first < 0 ? -1 : list.findIndex((m, i) => i > first && m.userID === owner);
  const counts = new Map<string, number>();
  for (const { userID } of list) counts.set(userID, (counts.get(userID) ?? 0) + 1);
  const appended = new Set<string>();
  for (const m of repeat < 0 ? [] : list.slice(repeat + 1)) {
    if (m.roleLevel === RoleLevel.member && counts.get(m.userID) === 1) appended.add(m.userID);
  }
  const roles = new Map<string, number>();
  for (const { userID, roleLevel } of list) {
    if (!roles.has(userID) && !appended.has(userID)) roles.set(userID, roleLevel);
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
  // `memberCount` is not read: OpenIM sets it to len(userIDs), which counts an appended caller
  // that has no row. The number of members is the number of `members`.
  normalize: (body) => {
    const owner = body.ownerUserID || null;
    const members = initialMembers(body.initMemberList, owner);
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
