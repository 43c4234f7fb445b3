import { type CallbackEvent, RoleLevel } from '@openim-sync/schema';
import type pg from 'pg';

/** What one event says about one member; `null` means "the event did not say". */
export interface MemberFacts {
  userID: string;
  roleLevel: number | null;
  joinedAt: number | null;
  joinSource?: number | null;
  reqMessage?: string | null;
  nickname?: string | null;
  faceURL?: string | null;
  ex?: string | null;
  groupEx?: string | null;
}

/**
 * SQL of the group-membership projection, bound to one schema. Every write
 * is guarded by versions (receive times), so applying events in any order
 * converges to the state of the newest: a member row is inserted only when
 * no newer removal or dismissal exists; a removal deletes only rows older
 * than itself; role and profile fields keep the newest value each.
 */
export function createProjection(schema: string) {
  const t = (table: string) => `${schema}.${table}`;

  const upsertSql = `
    INSERT INTO ${t('group_members')} AS m
      (group_id, user_id, role_level, join_source, req_message, nickname, face_url, ex, group_ex,
       joined_at, member_version, role_version, info_version)
    SELECT $1, $2, $3::integer, $4::integer, $5, $6, $7, $8, $9,
           to_timestamp($10::bigint / 1000.0), $11::bigint,
           CASE WHEN $3::integer IS NULL THEN 0 ELSE $11::bigint END,
           CASE WHEN $6::text IS NULL AND $7::text IS NULL AND $8::text IS NULL THEN 0 ELSE $11::bigint END
    WHERE NOT EXISTS (SELECT 1 FROM ${t('group_member_removals')} r
                       WHERE r.group_id = $1 AND r.user_id = $2 AND r.removed_version >= $11::bigint)
      AND NOT EXISTS (SELECT 1 FROM ${t('group_dismissals')} d
                       WHERE d.group_id = $1 AND d.dismissed_version >= $11::bigint)
    ON CONFLICT (group_id, user_id) DO UPDATE SET
      member_version = GREATEST(m.member_version, EXCLUDED.member_version),
      joined_at      = LEAST(m.joined_at, EXCLUDED.joined_at),
      join_source    = COALESCE(m.join_source, EXCLUDED.join_source),
      req_message    = COALESCE(m.req_message, EXCLUDED.req_message),
      group_ex       = CASE WHEN EXCLUDED.group_ex IS NOT NULL AND EXCLUDED.member_version >= m.member_version
                            THEN EXCLUDED.group_ex ELSE COALESCE(m.group_ex, EXCLUDED.group_ex) END,
      role_level     = CASE WHEN EXCLUDED.role_level IS NOT NULL AND EXCLUDED.role_version >= m.role_version
                            THEN EXCLUDED.role_level ELSE m.role_level END,
      role_version   = GREATEST(m.role_version, EXCLUDED.role_version),
      nickname       = CASE WHEN EXCLUDED.nickname IS NOT NULL AND EXCLUDED.info_version >= m.info_version
                            THEN EXCLUDED.nickname ELSE m.nickname END,
      face_url       = CASE WHEN EXCLUDED.face_url IS NOT NULL AND EXCLUDED.info_version >= m.info_version
                            THEN EXCLUDED.face_url ELSE m.face_url END,
      ex             = CASE WHEN EXCLUDED.ex IS NOT NULL AND EXCLUDED.info_version >= m.info_version
                            THEN EXCLUDED.ex ELSE m.ex END,
      info_version   = GREATEST(m.info_version, EXCLUDED.info_version),
      updated_at     = now()`;

  const recordRemovalSql = `
    INSERT INTO ${t('group_member_removals')} AS r (group_id, user_id, reason, removed_version, removed_at)
    SELECT $1, u, $3, $4::bigint, to_timestamp($4::bigint / 1000.0) FROM unnest($2::text[]) AS u
    ON CONFLICT (group_id, user_id) DO UPDATE SET
      reason = EXCLUDED.reason, removed_version = EXCLUDED.removed_version, removed_at = EXCLUDED.removed_at
    WHERE r.removed_version < EXCLUDED.removed_version`;

  const deleteMembersSql = `
    DELETE FROM ${t('group_members')}
    WHERE group_id = $1 AND user_id = ANY($2::text[]) AND member_version <= $3::bigint`;

  const recordDismissalSql = `
    INSERT INTO ${t('group_dismissals')} AS d (group_id, dismissed_version, dismissed_at)
    VALUES ($1, $2::bigint, to_timestamp($2::bigint / 1000.0))
    ON CONFLICT (group_id) DO UPDATE SET
      dismissed_version = EXCLUDED.dismissed_version, dismissed_at = EXCLUDED.dismissed_at
    WHERE d.dismissed_version < EXCLUDED.dismissed_version`;

  const deleteGroupSql = `DELETE FROM ${t('group_members')} WHERE group_id = $1 AND member_version <= $2::bigint`;

  async function upsertMembers(client: pg.ClientBase, groupID: string, version: number, members: MemberFacts[]) {
    await lockMembers(
      client,
      groupID,
      members.map((m) => m.userID),
    );
    for (const m of members) {
      await client.query(upsertSql, [
        groupID,
        m.userID,
        m.roleLevel,
        m.joinSource ?? null,
        m.reqMessage ?? null,
        m.nickname ?? null,
        m.faceURL ?? null,
        m.ex ?? null,
        m.groupEx ?? null,
        m.joinedAt ?? version,
        version,
      ]);
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
    await lockMembers(client, groupID, userIDs);
    await client.query(recordRemovalSql, [groupID, userIDs, reason, version]);
    await client.query(deleteMembersSql, [groupID, userIDs, version]);
  }

  async function dismissGroup(client: pg.ClientBase, groupID: string, version: number) {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [groupLockKey(groupID)]);
    await client.query(recordDismissalSql, [groupID, version]);
    await client.query(deleteGroupSql, [groupID, version]);
  }

  /** Applies one event's effect; runs inside the caller's transaction. */
  async function apply(client: pg.ClientBase, event: CallbackEvent, version: number): Promise<void> {
    switch (event.type) {
      case 'group.member.joined':
        return upsertMembers(client, event.groupID, version, [
          { ...event, roleLevel: RoleLevel.member, joinedAt: version },
        ]);
      case 'group.member.quit':
        return removeMembers(client, event.groupID, [event.userID], 'quit', version);
      case 'group.members.kicked':
        return removeMembers(client, event.groupID, event.userIDs, 'kicked', version);
      case 'group.dismissed':
        return dismissGroup(client, event.groupID, version);
      case 'group.created':
        return upsertMembers(
          client,
          event.groupID,
          version,
          event.members.map((m) => ({ ...m, joinedAt: event.createTime })),
        );
      case 'group.owner.transferred':
        return upsertMembers(client, event.groupID, version, [
          { userID: event.oldOwnerUserID, roleLevel: RoleLevel.member, joinedAt: null },
          { userID: event.newOwnerUserID, roleLevel: RoleLevel.owner, joinedAt: null },
        ]);
      case 'group.member.info.set':
        return upsertMembers(client, event.groupID, version, [{ ...event, joinedAt: null }]);
    }
  }

  return { apply };
}

function groupLockKey(groupID: string) {
  return `openim-sync:group:${groupID}`;
}

/**
 * Serialises writers of the same members across workers: a shared lock on
 * the group (a dismissal takes it exclusively), then one lock per member,
 * taken in the order of the lock keys so two transactions never deadlock.
 */
async function lockMembers(client: pg.ClientBase, groupID: string, userIDs: string[]) {
  await client.query('SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))', [groupLockKey(groupID)]);
  await client.query(
    `SELECT pg_advisory_xact_lock(hashtext($1), k)
       FROM (SELECT DISTINCT hashtext(u) AS k FROM unnest($2::text[]) AS u ORDER BY 1) AS keys`,
    [groupID, userIDs],
  );
}
