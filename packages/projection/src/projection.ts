import type pg from 'pg';
import { createMembershipSql } from './membership-sql.js';
import { lockMembership, type MemberFacts, membershipWrites, type VersionedEvent } from './membership-writes.js';
import { toPgText } from './pg-text.js';
import { columns, runsOfDistinct } from './runs.js';

/** A member's facts from one event: its group and version (µs). */
interface MemberRow {
  groupID: string;
  version: number;
  member: MemberFacts;
}

/** One member's removal by one event. */
interface RemovalRow {
  groupID: string;
  userID: string;
  reason: string;
  version: number;
}

/**
 * Thrown when a transaction recorded a level older than a transfer of a
 * group whose lock it holds only shared: settling the transfer's old owner
 * then reads other members' history, which needs the group to itself. The
 * writer rolls back and runs the batch again with these groups locked
 * exclusively. Rare: it takes an event older than a transfer arriving after it.
 */
export class GroupLockNeeded extends Error {
  override name = 'GroupLockNeeded';
  constructor(readonly groupIDs: ReadonlySet<string>) {
    super(`settling transfers needs the exclusive lock of ${groupIDs.size} group(s)`);
  }
}

/** Which groups a transaction holds exclusively. */
export type HoldsGroup = (groupID: string) => boolean;

/**
 * The role-bearing writes of one transaction: the oldest version per group,
 * and the groups to settle. Group ids as stored ({@link toPgText}), the form
 * Postgres returns them in.
 */
class RoleWrites {
  readonly oldest = new Map<string, number>();
  readonly due = new Set<string>();

  note(groupID: string, version: number) {
    const stored = toPgText(groupID);
    this.oldest.set(stored, Math.min(version, this.oldest.get(stored) ?? version));
  }

  settleLater(groupID: string) {
    this.due.add(toPgText(groupID));
  }
}

/** The group-membership projection's writes, bound to one schema (see {@link createMembershipSql}). */
export function createProjection(schema: string) {
  const sql = createMembershipSql(schema);
  const dueGroups = (result: pg.QueryResult, roles: RoleWrites) => {
    for (const groupID of (result.rows[0]?.settle as string[] | undefined) ?? []) roles.due.add(groupID);
  };

  async function upsertRows(client: pg.ClientBase, rows: readonly MemberRow[], roles: RoleWrites) {
    for (const row of rows) {
      if (row.member.roleLevel !== null || row.member.roleFrom) roles.note(row.groupID, row.version);
      if (row.member.roleFrom) roles.settleLater(row.groupID);
    }
    for (const run of runsOfDistinct(rows, (r) => `${r.groupID}\u0000${r.member.userID}`)) {
      const values = columns(
        run,
        (r) => r.groupID,
        (r) => r.member.userID,
        (r) => r.member.roleLevel,
        (r) => r.member.joinSource ?? null,
        (r) => r.member.reqMessage ?? null,
        (r) => r.member.nickname ?? null,
        (r) => r.member.faceURL ?? null,
        (r) => r.member.ex ?? null,
        (r) => r.member.groupEx ?? null,
        (r) => r.member.joinedAt,
        (r) => r.version,
        (r) => r.member.roleFrom ?? null,
      );
      dueGroups(await client.query(sql.upsert(values)), roles);
    }
  }

  async function removeRows(client: pg.ClientBase, rows: readonly RemovalRow[], roles: RoleWrites) {
    for (const row of rows) roles.note(row.groupID, row.version);
    for (const run of runsOfDistinct(rows, (r) => `${r.groupID}\u0000${r.userID}`)) {
      const [groups, users, reasons, versions] = columns(
        run,
        (r) => r.groupID,
        (r) => r.userID,
        (r) => r.reason,
        (r) => r.version,
      );
      dueGroups(await client.query(sql.recordRemoval([groups, users, reasons, versions])), roles);
      await client.query(sql.deleteMembers([groups, users, versions]));
      await client.query(sql.forgetBefore([groups, users, versions]));
    }
  }

  /** Gives the transfers' old owners the levels the role history now says (see membership-sql). */
  async function settle(client: pg.ClientBase, roles: RoleWrites, holdsGroup: HoldsGroup) {
    if (roles.due.size === 0) return;
    const missing = new Set([...roles.due].filter((groupID) => !holdsGroup(groupID)));
    if (missing.size > 0) throw new GroupLockNeeded(missing);
    const groups = [...roles.due];
    await client.query(sql.settleRoles([groups, groups.map((g) => roles.oldest.get(g) ?? 0)]));
  }

  // The reconciler's writes: it holds the group's exclusive lock.
  async function upsertMembers(client: pg.ClientBase, groupID: string, version: number, members: MemberFacts[]) {
    const roles = new RoleWrites();
    await upsertRows(
      client,
      members.map((member) => ({ groupID, version, member })),
      roles,
    );
    await settle(client, roles, () => true);
  }

  async function removeMembers(
    client: pg.ClientBase,
    groupID: string,
    userIDs: string[],
    reason: string,
    version: number,
  ) {
    const roles = new RoleWrites();
    await removeRows(
      client,
      userIDs.map((userID) => ({ groupID, userID, reason, version })),
      roles,
    );
    await settle(client, roles, () => true);
  }

  async function dismissGroup(client: pg.ClientBase, groupID: string, version: number) {
    await client.query(sql.recordDismissal([groupID, version]));
    await client.query(sql.deleteGroup([groupID, version]));
    await client.query(sql.forgetBeforeDismissal([groupID, version]));
  }

  /**
   * Applies events, in order, inside the caller's transaction, which holds
   * their locks (see {@link lockMembership}); `holdsGroup` says which groups
   * it holds exclusively. Consecutive upserts go in one statement, and
   * consecutive removals in one of each of theirs, as long as no member
   * appears twice. Throws {@link GroupLockNeeded} when a transfer must be
   * settled in a group held only shared.
   */
  async function apply(
    client: pg.ClientBase,
    events: readonly VersionedEvent[],
    holdsGroup: HoldsGroup = () => false,
  ): Promise<void> {
    const roles = new RoleWrites();
    let upserts: MemberRow[] = [];
    let removals: RemovalRow[] = [];
    const flush = async () => {
      await upsertRows(client, upserts, roles);
      await removeRows(client, removals, roles);
      upserts = [];
      removals = [];
    };
    for (const { event, version } of events) {
      for (const write of membershipWrites(event, version)) {
        const { groupID } = write;
        if (write.kind === 'upsert') {
          if (removals.length > 0) await flush();
          upserts.push(...write.members.map((member) => ({ groupID, version, member })));
        } else if (write.kind === 'remove') {
          if (upserts.length > 0) await flush();
          removals.push(...write.userIDs.map((userID) => ({ groupID, userID, reason: write.reason, version })));
        } else {
          await flush();
          await dismissGroup(client, groupID, version);
        }
      }
    }
    await flush();
    await settle(client, roles, holdsGroup);
  }

  // The write functions take no locks: the writer takes a whole transaction's locks first,
  // and the reconciler holds the group's exclusive lock, which keeps every other writer out.
  return { apply, lock: lockMembership, upsertMembers, removeMembers, dismissGroup };
}
