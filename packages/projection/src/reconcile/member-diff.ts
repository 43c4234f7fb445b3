import type { GroupMember } from '@openim-sync/openim-client';
import type { MemberFacts } from '../membership-writes.js';

/** A `group_members` row as the reconciler reads it; times and versions in µs since the epoch. */
export interface ProjectedMember {
  userID: string;
  roleLevel: number | null;
  joinSource: number | null;
  reqMessage: string | null;
  groupEx: string | null;
  nickname: string | null;
  faceURL: string | null;
  ex: string | null;
  joinedAt: number;
  memberVersion: number;
  joinedVersion: number;
  roleVersion: number;
  infoVersion: number;
}

/** What the projection holds for one group, read under the group's exclusive lock. */
export interface ProjectionSnapshot {
  members: ProjectedMember[];
  /** Users whose removal is at least as new as the reconcile's read: OpenIM's list cannot bring them back. */
  removedSince: ReadonlySet<string>;
  /** The group's recorded dismissal, if any. */
  dismissedVersion: number | null;
}

/** What OpenIM said when the reconcile read it. */
export type OpenImTruth = { kind: 'members'; members: GroupMember[] } | { kind: 'dismissed' | 'unknown' };

export type MemberField = 'roleLevel' | 'nickname' | 'faceURL' | 'ex' | 'joinSource' | 'joinedAt';

/** One member field that differed: the projection's value and OpenIM's. */
export interface FieldChange {
  field: MemberField;
  from: string | number | null;
  to: string | number | null;
}

/** What a reconcile found different, per group. */
export interface GroupDiff {
  groupID: string;
  /** Members OpenIM has and the projection lacked. */
  added: string[];
  /** Members the projection had and OpenIM does not. */
  removed: string[];
  /** Members whose role or fields contradicted OpenIM. */
  updated: Array<{ userID: string; changes: FieldChange[] }>;
  /** The group is dismissed or unknown in OpenIM and was dropped from the projection. */
  dismissed: boolean;
}

/** The writes that make the projection equal OpenIM, for the projection's guarded paths. */
export interface ReconcilePlan {
  diff: GroupDiff;
  upserts: MemberFacts[];
  removals: string[];
  dismiss: boolean;
  /** Members whose empty fields OpenIM can fill (not drift: no callback carries them). */
  filled: number;
}

/**
 * A callback's receive time and OpenIM's join time differ by OpenIM's send
 * queue and the network (ms to seconds); only a larger gap says the member
 * joined again without the projection hearing of it.
 */
export const JOIN_TIME_TOLERANCE_US = 60_000_000;

/**
 * Compares one group's projection with OpenIM's truth as read at `readAt`
 * (µs, taken before the read started). Whatever the projection learned
 * later than `readAt` (a member, role, field or removal with a newer
 * version) is newer news and is left alone; the rest must equal OpenIM.
 * Pure: the caller applies the plan at version `readAt`.
 */
export function planReconcile(
  groupID: string,
  readAt: number,
  snapshot: ProjectionSnapshot,
  truth: OpenImTruth,
): ReconcilePlan {
  const diff: GroupDiff = { groupID, added: [], removed: [], updated: [], dismissed: false };
  const plan: ReconcilePlan = { diff, upserts: [], removals: [], dismiss: false, filled: 0 };
  const stale = snapshot.members.filter((m) => m.memberVersion <= readAt);
  if (truth.kind !== 'members') {
    // Record the dismissal once; after that only rows older than the read are left to drop.
    plan.dismiss = stale.length > 0 || snapshot.dismissedVersion === null;
    diff.dismissed = plan.dismiss;
    diff.removed = stale.map((m) => m.userID);
    return plan;
  }
  if (snapshot.dismissedVersion !== null && snapshot.dismissedVersion >= readAt) return plan;

  const projected = new Map(snapshot.members.map((m) => [m.userID, m]));
  const inOpenIm = new Set<string>();
  for (const member of truth.members) {
    if (member.userID === '' || inOpenIm.has(member.userID)) continue;
    inOpenIm.add(member.userID);
    const row = projected.get(member.userID);
    if (row) compareMember(row, member, readAt, plan);
    else if (!snapshot.removedSince.has(member.userID)) {
      diff.added.push(member.userID);
      plan.upserts.push(newMemberFacts(member, readAt));
    }
  }
  for (const row of stale) if (!inOpenIm.has(row.userID)) diff.removed.push(row.userID);
  plan.removals = diff.removed;
  return plan;
}

function newMemberFacts(member: GroupMember, readAt: number): MemberFacts {
  return {
    userID: member.userID,
    roleLevel: member.roleLevel,
    joinedAt: member.joinTime > 0 ? member.joinTime * 1000 : readAt,
    joinSource: member.joinSource || null,
    nickname: member.nickname || null,
    faceURL: member.faceURL || null,
    ex: member.ex || null,
  };
}

/** `null` and `''` both mean "none" (callbacks send null, OpenIM's API sends ''). */
const none = (value: string | null) => value ?? '';

function compareMember(row: ProjectedMember, member: GroupMember, readAt: number, plan: ReconcilePlan) {
  const changes: FieldChange[] = [];
  let fills = 0;
  // A field is OpenIM's to correct when the projection's value is no newer than the read.
  const note = (field: MemberField, from: FieldChange['from'], to: FieldChange['to'], unknown: boolean) => {
    if (unknown) fills++;
    else changes.push({ field, from, to });
  };
  const facts: MemberFacts = { userID: row.userID, roleLevel: null, joinedAt: null };

  if (row.roleVersion <= readAt && row.roleLevel !== member.roleLevel) {
    note('roleLevel', row.roleLevel, member.roleLevel, false);
    facts.roleLevel = member.roleLevel;
  }
  if (row.infoVersion <= readAt) {
    for (const field of ['nickname', 'faceURL', 'ex'] as const) {
      if (none(row[field]) === member[field]) continue;
      // A member's nickname and ex start empty and change only with a callback; OpenIM fills
      // faceURL from the user's profile, which no group callback carries.
      note(field, row[field], member[field], field === 'faceURL' && row[field] === null);
      facts[field] = member[field];
    }
  }
  if (row.joinedVersion <= readAt) {
    const joinTime = member.joinTime * 1000;
    const sourceDiffers = member.joinSource !== 0 && row.joinSource !== member.joinSource;
    const timeDiffers = member.joinTime > 0 && Math.abs(row.joinedAt - joinTime) > JOIN_TIME_TOLERANCE_US;
    // Nothing from a join event yet (the row came from a role or info change): OpenIM fills it in.
    const neverJoined = row.joinedVersion === 0;
    if (sourceDiffers) note('joinSource', row.joinSource, member.joinSource, neverJoined || row.joinSource === null);
    if (timeDiffers) note('joinedAt', row.joinedAt, joinTime, neverJoined);
    if (sourceDiffers || timeDiffers) {
      // The join fields move together; what OpenIM cannot tell (the request message, groupEx) is kept.
      facts.joinedAt = timeDiffers ? joinTime : row.joinedAt;
      facts.joinSource = sourceDiffers ? member.joinSource : row.joinSource;
      facts.reqMessage = row.reqMessage;
      facts.groupEx = row.groupEx;
    }
  }
  if (changes.length === 0 && fills === 0) return;
  plan.upserts.push(facts);
  if (changes.length > 0) plan.diff.updated.push({ userID: row.userID, changes });
  else plan.filled++;
}
