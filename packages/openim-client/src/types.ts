/** A group member as OpenIM's API returns it (`sdkws.GroupMemberFullInfo`). */
export interface GroupMember {
  groupID: string;
  userID: string;
  /** 100 owner, 60 admin, 20 member. */
  roleLevel: number;
  /** Milliseconds since the epoch. */
  joinTime: number;
  nickname: string;
  /** Filled from the user's profile when the member has none of their own. */
  faceURL: string;
  appMangerLevel: number;
  /** 1 admin, 2 invitation, 3 search, 4 QR code. */
  joinSource: number;
  operatorUserID: string;
  ex: string;
  /** Milliseconds since the epoch. */
  muteEndTime: number;
  inviterUserID: string;
}

/** Group status values of {@link GroupInfo.status}. */
export const GroupStatus = { ok: 0, chatBanned: 1, dismissed: 2, muted: 3 } as const;

/** A group as OpenIM's API returns it (`sdkws.GroupInfo`). */
export interface GroupInfo {
  groupID: string;
  groupName: string;
  notification: string;
  introduction: string;
  faceURL: string;
  ownerUserID: string;
  /** Milliseconds since the epoch. */
  createTime: number;
  memberCount: number;
  ex: string;
  /** 0 ok, 1 chat banned, 2 dismissed, 3 muted. */
  status: number;
  creatorUserID: string;
  groupType: number;
  needVerification: number;
  lookMemberInfo: number;
  applyMemberFriend: number;
  notificationUpdateTime: number;
  notificationUserID: string;
}

/** A group's member count and member-list hash: they change whenever any member changes. */
export interface GroupAbstractInfo {
  groupID: string;
  memberCount: number;
  /** OpenIM's 64-bit hash, as an exact decimal string (it exceeds 2^53). */
  memberListHash: string;
}
