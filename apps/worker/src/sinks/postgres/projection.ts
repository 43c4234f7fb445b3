import type pg from 'pg';
import { createMembershipSql } from './membership-sql.js';
import { lockMembership, type MemberFacts, membershipWrites, type VersionedEvent } from './membership-writes.js';
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

/** The group-membership projection's writes, bound to one schema (see {@link createMembershipSql}). */
export function createProjection(schema: string) {
  const sql = createMembershipSql(schema);

  async function upsertRows(client: pg.ClientBase, rows: readonly MemberRow[]) {
    for (const run of runsOfDistinct(rows, (r) => `${r.groupID}\u0000${r.member.userID}`)) {
      await client.query(
        sql.upsert(
          columns(
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
          ),
        ),
      );
    }
  }

  async function removeRows(client: pg.ClientBase, rows: readonly RemovalRow[]) {
    for (const run of runsOfDistinct(rows, (r) => `${r.groupID}\u0000${r.userID}`)) {
      const [groups, users, reasons, versions] = columns(
        run,
        (r) => r.groupID,
        (r) => r.userID,
        (r) => r.reason,
        (r) => r.version,
      );
      await client.query(sql.recordRemoval([groups, users, reasons, versions]));
      await client.query(sql.deleteMembers([groups, users, versions]));
      await client.query(sql.forgetBefore([groups, users, versions]));
    }
  }

  function upsertMembers(client: pg.ClientBase, groupID: string, version: number, members: MemberFacts[]) {
    return upsertRows(
      client,
      members.map((member) => ({ groupID, version, member })),
    );
  }

  function removeMembers(client: pg.ClientBase, groupID: string, userIDs: string[], reason: string, version: number) {
    return removeRows(
      client,
      userIDs.map((userID) => ({ groupID, userID, reason, version })),
    );
  }

  async function dismissGroup(client: pg.ClientBase, groupID: string, version: number) {
    await client.query(sql.recordDismissal([groupID, version]));
    await client.query(sql.deleteGroup([groupID, version]));
    await client.query(sql.forgetBeforeDismissal([groupID, version]));
  }

  /**
   * Applies events, in order, inside the caller's transaction, which holds
   * their locks (see {@link lockMembership}). Consecutive upserts go in one
   * statement, and consecutive removals in one of each of theirs, as long as
   * no member appears twice.
   */
  async function apply(client: pg.ClientBase, events: readonly VersionedEvent[]): Promise<void> {
    let upserts: MemberRow[] = [];
    let removals: RemovalRow[] = [];
    const flush = async () => {
      await upsertRows(client, upserts);
      await removeRows(client, removals);
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
  }

  // The write functions take no locks: the sink takes a whole transaction's locks first,
  // and the reconciler holds the group's exclusive lock, which keeps every other writer out.
  return { apply, lock: lockMembership, upsertMembers, removeMembers, dismissGroup };
}
