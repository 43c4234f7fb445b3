import type { CallbackEvent } from '@openim-sync/schema';
import type pg from 'pg';
import { lockMembership, type MemberFacts, membershipWrites } from './membership-writes.js';
import { prepared } from './prepared.js';

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

  // $1 group, $2 user, $3 role, $4 join source, $5 req message, $6 nickname, $7 face, $8 ex,
  // $9 group ex, $10 joined at (µs, or null), $11 version (µs).
  const upsertSql = `
    INSERT INTO ${t('group_members')} AS m
      (group_id, user_id, role_level, join_source, req_message, nickname, face_url, ex, group_ex,
       joined_at, member_version, joined_version, role_version, info_version)
    SELECT $1, $2, $3::integer, $4::integer, $5, $6, $7, $8, $9,
           ${ts('COALESCE($10, $11)')}, $11::bigint,
           CASE WHEN $10::bigint IS NULL THEN 0 ELSE $11::bigint END,
           CASE WHEN $3::integer IS NULL THEN 0 ELSE $11::bigint END,
           CASE WHEN $6::text IS NULL AND $7::text IS NULL AND $8::text IS NULL THEN 0 ELSE $11::bigint END
    WHERE NOT EXISTS (SELECT 1 FROM ${t('group_member_removals')} r
                       WHERE r.group_id = $1 AND r.user_id = $2 AND r.removed_version >= $11::bigint)
      AND NOT EXISTS (SELECT 1 FROM ${t('group_dismissals')} d
                       WHERE d.group_id = $1 AND d.dismissed_version >= $11::bigint)
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

  async function upsertMembers(client: pg.ClientBase, groupID: string, version: number, members: MemberFacts[]) {
    for (const m of members) {
      await client.query(
        sql.upsert([
          groupID,
          m.userID,
          m.roleLevel,
          m.joinSource ?? null,
          m.reqMessage ?? null,
          m.nickname ?? null,
          m.faceURL ?? null,
          m.ex ?? null,
          m.groupEx ?? null,
          m.joinedAt,
          version,
        ]),
      );
    }
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
   * Applies one event's effect inside the caller's transaction, which holds
   * the event's locks (see {@link lockMembership}). `version` is the receive time in
   * µs since the epoch.
   */
  async function apply(client: pg.ClientBase, event: CallbackEvent, version: number): Promise<void> {
    for (const write of membershipWrites(event, version)) {
      if (write.kind === 'upsert') await upsertMembers(client, write.groupID, version, write.members);
      else if (write.kind === 'remove')
        await removeMembers(client, write.groupID, write.userIDs, write.reason, version);
      else await dismissGroup(client, write.groupID, version);
    }
  }

  // The write functions take no locks: the sink takes a whole transaction's locks first,
  // and the reconciler holds the group's exclusive lock, which keeps every other writer out.
  return { apply, lock: lockMembership, upsertMembers, removeMembers, dismissGroup };
}
