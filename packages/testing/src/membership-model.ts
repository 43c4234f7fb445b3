/**
 * The group-membership effect of each callback, as OpenIM means it, and a
 * deliberately naive model that applies them in order. The e2e test compares
 * the worker's Postgres projection with what this model computes.
 */
export type MembershipOp =
  | {
      kind: 'create';
      groupID: string;
      ownerUserID: string;
      initMemberList: Array<{ userID: string; roleLevel: number }>;
    }
  | { kind: 'join'; groupID: string; userID: string }
  | { kind: 'quit'; groupID: string; userID: string }
  | { kind: 'kick'; groupID: string; userIDs: string[] }
  | { kind: 'setInfo'; groupID: string; userID: string; roleLevel: number | null; nickname: string | null }
  | { kind: 'transfer'; groupID: string; oldOwnerUserID: string; newOwnerUserID: string }
  | { kind: 'dismiss'; groupID: string; ownerUserID: string; memberUserIDs: string[] };

export interface MemberRow {
  groupID: string;
  userID: string;
  roleLevel: number | null;
  nickname: string | null;
}

type Member = { roleLevel: number | null; nickname: string | null };
export type GroupState = Map<string, Member>;

/** Adds the member when absent, then sets each field the event names (null: unchanged). */
function upsert(group: GroupState, userID: string, fields: Partial<Member>): void {
  const member = group.get(userID) ?? { roleLevel: null, nickname: null };
  group.set(userID, {
    roleLevel: fields.roleLevel ?? member.roleLevel,
    nickname: fields.nickname ?? member.nickname,
  });
}

/** Applies one callback to the state of its group. */
export function applyOp(group: GroupState, op: MembershipOp): void {
  switch (op.kind) {
    case 'create': {
      // OpenIM lists the owner and admins twice (again at 20 after everyone): the first entry is the role.
      const roles = new Map<string, number>();
      for (const { userID, roleLevel } of op.initMemberList) if (!roles.has(userID)) roles.set(userID, roleLevel);
      for (const [userID, roleLevel] of roles) upsert(group, userID, { roleLevel });
      break;
    }
    case 'join':
      upsert(group, op.userID, { roleLevel: 20 });
      break;
    case 'quit':
      group.delete(op.userID);
      break;
    case 'kick':
      for (const userID of op.userIDs) group.delete(userID);
      break;
    case 'dismiss':
      group.clear();
      break;
    case 'transfer':
      // OpenIM swaps: the old owner takes the new owner's former level (controller/group.go TransferGroupOwner).
      upsert(group, op.oldOwnerUserID, { roleLevel: group.get(op.newOwnerUserID)?.roleLevel ?? 20 });
      upsert(group, op.newOwnerUserID, { roleLevel: 100 });
      break;
    case 'setInfo':
      upsert(group, op.userID, { roleLevel: op.roleLevel, nickname: op.nickname });
      break;
  }
}

/** The membership table after applying `ops` in order, sorted by group then user. */
export function expectedMembers(ops: readonly MembershipOp[]): MemberRow[] {
  const groups = new Map<string, GroupState>();
  for (const op of ops) {
    const group = groups.get(op.groupID) ?? new Map();
    groups.set(op.groupID, group);
    applyOp(group, op);
  }
  const rows = [...groups].flatMap(([groupID, members]) =>
    [...members].map(([userID, m]) => ({ groupID, userID, roleLevel: m.roleLevel, nickname: m.nickname })),
  );
  return sortRows(rows);
}

/** Sorts rows by group then user, the same way for both sides of a comparison. */
export function sortRows(rows: MemberRow[]): MemberRow[] {
  const key = (r: MemberRow) => `${r.groupID}\u0000${r.userID}`;
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
