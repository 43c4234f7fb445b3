/** Role levels as OpenIM defines them. */
export const RoleLevel = { owner: 100, admin: 60, member: 20 } as const;

export interface MemberJoined {
  type: 'group.member.joined';
  groupID: string;
  userID: string;
  /** 2 invitation, 3 search, 4 QR code; null when OpenIM did not say. */
  joinSource: number | null;
  reqMessage: string | null;
  ex: string | null;
  groupEx: string | null;
}

export interface MemberQuit {
  type: 'group.member.quit';
  groupID: string;
  userID: string;
}

export interface MembersKicked {
  type: 'group.members.kicked';
  groupID: string;
  userIDs: string[];
  reason: string | null;
}

/**
 * OpenIM usually reports a dismissal twice: first with every member listed
 * (it keeps their rows for now), then, once its push service has delivered
 * the dismissal, with none (it deletes the rows). Either one means the
 * group has no members left.
 */
export interface GroupDismissed {
  type: 'group.dismissed';
  groupID: string;
  ownerUserID: string | null;
  memberUserIDs: string[];
}

export interface GroupCreated {
  type: 'group.created';
  groupID: string;
  groupName: string | null;
  ownerUserID: string | null;
  creatorUserID: string | null;
  /** Milliseconds since the epoch, as OpenIM stamped the group. */
  createTime: number | null;
  ex: string | null;
  /**
   * The members OpenIM inserted, one entry per user at its first role in
   * `initMemberList` (OpenIM lists the owner and admins twice). An IM admin
   * who created a group without being in it is listed by OpenIM but has no
   * member row, and is left out here.
   */
  members: Array<{ userID: string; roleLevel: number }>;
}

/**
 * The new owner now holds 100; the old owner holds the level the new owner
 * held before (20 or 60, usually): OpenIM swaps them. The payload carries
 * no levels.
 */
export interface GroupOwnerTransferred {
  type: 'group.owner.transferred';
  groupID: string;
  oldOwnerUserID: string;
  newOwnerUserID: string;
}

export interface MemberInfoSet {
  type: 'group.member.info.set';
  groupID: string;
  userID: string;
  /** Each field is null when OpenIM left it unchanged. */
  nickname: string | null;
  faceURL: string | null;
  roleLevel: number | null;
  ex: string | null;
}

/** Events that change who is in a group: the membership projection applies them. */
export type GroupMembershipEvent =
  | MemberJoined
  | MemberQuit
  | MembersKicked
  | GroupDismissed
  | GroupCreated
  | GroupOwnerTransferred
  | MemberInfoSet;
