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
  /** One entry per user (OpenIM lists the owner and admins twice). */
  members: Array<{ userID: string; roleLevel: number }>;
}

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
