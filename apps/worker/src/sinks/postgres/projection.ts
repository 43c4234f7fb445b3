import type pg from 'pg';
import { lockMembership, type MemberFacts, membershipWrites, type VersionedEvent } from './membership-writes.js';
import { prepared } from './prepared.js';

/** A member's facts from one event: its group and version (µs). */
interface MemberRow {
  groupID: string;
  version: number;
  member: MemberFacts;
}

const ts = (param: string) => `to_timestamp(${param}::bigint / 1000000.0)`;

/**
 * SQL of the group-membership projection, bound to one schema. Every write
 * is guarded by versions (receive times in µs), so applying a group's
 * events in any order converges to the state of applying them in order:
 *
 * - a member row is inserted only when no newer removal or dismissal exists;
 * - a removal deletes only rows whose membership is older than itself; a row
 *   that a newer event (a rejoin) already refreshed survives, but loses the
 *   fields that came from before the removal;
 * - join fields come from the newest join; role and profile fields keep the
 *   newest value each.
 */
export function createProjection(schema: string) {
  const t = (table: string) => `${schema}.${table}`;
  const newer = (field: string, version: string) =>
    `CASE WHEN EXCLUDED.${field} IS NOT NULL AND EXCLUDED.${version} >= m.${version} THEN EXCLUDED.${field} ELSE m.${field} END`;
  const fromNewestJoin = (field: string) =>
    `CASE WHEN EXCLUDED.joined_version > m.joined_version THEN EXCLUDED.${field} ELSE m.${field} END`;

  // One row per member: $1 group, $2 user, $3 role, $4 join source, $5 req message, $6 nickname,
  // $7 face, $8 ex, $9 group ex, $10 joined at (µs, or null), $11 version (µs); no (group, user) twice.
  const upsertSql = `
    INSERT INTO ${t('group_members')} AS m
      (group_id, user_id, role_level, join_source, req_message, nickname, face_url, ex, group_ex,
       joined_at, member_version, joined_version, role_version, info_version)
    SELECT v.g, v.u, v.role, v.source, v.req, v.nick, v.face, v.ex, v.gex,
           ${ts('COALESCE(v.joined, v.version)')}, v.version,
           CASE WHEN v.joined IS NULL THEN 0 ELSE v.version END,
           CASE WHEN v.role IS NULL THEN 0 ELSE v.version END,
           CASE WHEN v.nick IS NULL AND v.face IS NULL AND v.ex IS NULL THEN 0 ELSE v.version END
      FROM unnest($1::text[], $2::text[], $3::integer[], $4::integer[], $5::text[], $6::text[], $7::text[],
                  $8::text[], $9::text[], $10::bigint[], $11::bigint[])
           AS v(g, u, role, source, req, nick, face, ex, gex, joined, version)
    WHERE NOT EXISTS (SELECT 1 FROM ${t('group_member_removals')} r
                       WHERE r.group_id = v.g AND r.user_id = v.u AND r.removed_version >= v.version)
      AND NOT EXISTS (SELECT 1 FROM ${t('group_dismissals')} d
                       WHERE d.group_id = v.g AND d.dismissed_version >= v.version)
    ON CONFLICT (group_id, user_id) DO UPDATE SET
      member_version = GREATEST(m.member_version, EXCLUDED.member_version),
      joined_at      = CASE WHEN EXCLUDED.joined_version > m.joined_version THEN EXCLUDED.joined_at
                            WHEN m.joined_version = 0 THEN LEAST(m.joined_at, EXCLUDED.joined_at)
                            ELSE m.joined_at END,
      join_source    = ${fromNewestJoin('join_source')},
      req_message    = ${fromNewestJoin('req_message')},
      group_ex       = ${fromNewestJoin('group_ex')},
      joined_version = GREATEST(m.joined_version, EXCLUDED.joined_version),
      role_level     = ${newer('role_level', 'role_version')},
      role_version   = GREATEST(m.role_version, EXCLUDED.role_version),
      nickname       = ${newer('nickname', 'info_version')},
      face_url       = ${newer('face_url', 'info_version')},
      ex             = ${newer('ex', 'info_version')},
      info_version   = GREATEST(m.info_version, EXCLUDED.info_version),
      updated_at     = now()`;

  const recordRemovalSql = `
    INSERT INTO ${t('group_member_removals')} AS r (group_id, user_id, reason, removed_version, removed_at)
    SELECT $1, u, $3, $4::bigint, ${ts('$4')} FROM unnest($2::text[]) AS u
    ON CONFLICT (group_id, user_id) DO UPDATE SET
      reason = EXCLUDED.reason, removed_version = EXCLUDED.removed_version, removed_at = EXCLUDED.removed_at
    WHERE r.removed_version < EXCLUDED.removed_version`;

  const deleteMembersSql = `
    DELETE FROM ${t('group_members')}
    WHERE group_id = $1 AND user_id = ANY($2::text[]) AND member_version <= $3::bigint`;

  // A row newer than the removal belongs to a later membership (a rejoin that was
  // applied first): what it still holds from before the removal is stale.
  const forgetBeforeSql = `
    UPDATE ${t('group_members')} SET
      nickname       = CASE WHEN info_version <= $3 THEN NULL ELSE nickname END,
      face_url       = CASE WHEN info_version <= $3 THEN NULL ELSE face_url END,
      ex             = CASE WHEN info_version <= $3 THEN NULL ELSE ex END,
      info_version   = CASE WHEN info_version <= $3 THEN 0 ELSE info_version END,
      role_level     = CASE WHEN role_version <= $3 THEN NULL ELSE role_level END,
      role_version   = CASE WHEN role_version <= $3 THEN 0 ELSE role_version END,
      join_source    = CASE WHEN joined_version <= $3 THEN NULL ELSE join_source END,
      req_message    = CASE WHEN joined_version <= $3 THEN NULL ELSE req_message END,
      group_ex       = CASE WHEN joined_version <= $3 THEN NULL ELSE group_ex END,
      joined_at      = CASE WHEN joined_version <= $3 THEN ${ts('member_version')} ELSE joined_at END,
      joined_version = CASE WHEN joined_version <= $3 THEN 0 ELSE joined_version END,
      updated_at     = now()
    WHERE group_id = $1 AND user_id = ANY($2::text[]) AND member_version > $3::bigint`;

  const recordDismissalSql = `
    INSERT INTO ${t('group_dismissals')} AS d (group_id, dismissed_version, dismissed_at)
    VALUES ($1, $2::bigint, ${ts('$2')})
    ON CONFLICT (group_id) DO UPDATE SET
      dismissed_version = EXCLUDED.dismissed_version, dismissed_at = EXCLUDED.dismissed_at
    WHERE d.dismissed_version < EXCLUDED.dismissed_version`;

  const deleteGroupSql = `DELETE FROM ${t('group_members')} WHERE group_id = $1 AND member_version <= $2::bigint`;

  const sql = {
    upsert: prepared(upsertSql),
    recordRemoval: prepared(recordRemovalSql),
    deleteMembers: prepared(deleteMembersSql),
    forgetBefore: prepared(forgetBeforeSql),
    recordDismissal: prepared(recordDismissalSql),
    deleteGroup: prepared(deleteGroupSql),
  };

  /** Upserts members, one statement for as many rows as touch no member twice. */
  async function upsertRows(client: pg.ClientBase, rows: readonly MemberRow[]) {
    let chunk: MemberRow[] = [];
    const keys = new Set<string>();
    for (const row of rows) {
      const key = JSON.stringify([row.groupID, row.member.userID]);
      if (keys.has(key)) {
        await upsertChunk(client, chunk);
        chunk = [];
        keys.clear();
      }
      chunk.push(row);
      keys.add(key);
    }
    if (chunk.length > 0) await upsertChunk(client, chunk);
  }

  async function upsertChunk(client: pg.ClientBase, rows: readonly MemberRow[]) {
    const column = <T>(value: (row: MemberRow) => T) => rows.map(value);
    await client.query(
      sql.upsert([
        column((r) => r.groupID),
        column((r) => r.member.userID),
        column((r) => r.member.roleLevel),
        column((r) => r.member.joinSource ?? null),
        column((r) => r.member.reqMessage ?? null),
        column((r) => r.member.nickname ?? null),
        column((r) => r.member.faceURL ?? null),
        column((r) => r.member.ex ?? null),
        column((r) => r.member.groupEx ?? null),
        column((r) => r.member.joinedAt),
        column((r) => r.version),
      ]),
    );
  }

  function upsertMembers(client: pg.ClientBase, groupID: string, version: number, members: MemberFacts[]) {
    return upsertRows(
      client,
      members.map((member) => ({ groupID, version, member })),
    );
  }

  async function removeMembers(
    client: pg.ClientBase,
    groupID: string,
    userIDs: string[],
    reason: string,
    version: number,
  ) {
    if (userIDs.length === 0) return;
    await client.query(sql.recordRemoval([groupID, userIDs, reason, version]));
    await client.query(sql.deleteMembers([groupID, userIDs, version]));
    await client.query(sql.forgetBefore([groupID, userIDs, version]));
  }

  async function dismissGroup(client: pg.ClientBase, groupID: string, version: number) {
    await client.query(sql.recordDismissal([groupID, version]));
    await client.query(sql.deleteGroup([groupID, version]));
  }

  /**
   * Applies events, in order, inside the caller's transaction, which holds
   * their locks (see {@link lockMembership}). Consecutive member upserts go
   * in one statement: rows of different members do not see each other, so
   * that is the same as one at a time; a member's second row starts another.
   */
  async function apply(client: pg.ClientBase, events: readonly VersionedEvent[]): Promise<void> {
    let upserts: MemberRow[] = [];
    for (const { event, version } of events) {
      for (const write of membershipWrites(event, version)) {
        if (write.kind === 'upsert') {
          upserts.push(...write.members.map((member) => ({ groupID: write.groupID, version, member })));
          continue;
        }
        await upsertRows(client, upserts);
        upserts = [];
        if (write.kind === 'remove') await removeMembers(client, write.groupID, write.userIDs, write.reason, version);
        else await dismissGroup(client, write.groupID, version);
      }
    }
    await upsertRows(client, upserts);
  }

  // The write functions take no locks: the sink takes a whole transaction's locks first,
  // and the reconciler holds the group's exclusive lock, which keeps every other writer out.
  return { apply, lock: lockMembership, upsertMembers, removeMembers, dismissGroup };
}
