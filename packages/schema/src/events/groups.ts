/**
 * A group's settings changed; each field is null when OpenIM left it unchanged.
 * `groupID` is as sent (no projection keys on it).
 */
export interface GroupInfoSet {
  type: 'group.info.set';
  groupID: string;
  groupName: string | null;
  notification: string | null;
  introduction: string | null;
  faceURL: string | null;
  ex: string | null;
  needVerification: number | null;
  lookMemberInfo: number | null;
  applyMemberFriend: number | null;
}

export type GroupEvent = GroupInfoSet;
