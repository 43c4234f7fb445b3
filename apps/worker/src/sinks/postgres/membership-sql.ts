import { prepared } from './prepared.js';

const ts = (param: string) => `to_timestamp(${param}::bigint / 1000000.0)`;

/**
 * SQL of the group-membership projection, bound to one schema. Every write
 * is guarded by versions (receive times in µs), so applying a group's
 * events in any order converges to the state of applying them in order:
 *
 * - a member row is inserted only when no newer removal or dismissal exists;
 * - a removal or a dismissal deletes only rows whose membership is older
 *   than itself; a row that a newer event (a rejoin) already refreshed
 *   survives, but loses the fields that came from before it;
 * - join fields come from the newest join; role and profile fields keep the
 *   newest value each.
 */
export function createMembershipSql(schema: string) {
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

  // One row per removed member: $1 group, $2 user, $3 reason, $4 version (µs); no (group, user) twice.
  const recordRemovalSql = `
    INSERT INTO ${t('group_member_removals')} AS r (group_id, user_id, reason, removed_version, removed_at)
    SELECT v.g, v.u, v.reason, v.version, ${ts('v.version')}
      FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS v(g, u, reason, version)
    ON CONFLICT (group_id, user_id) DO UPDATE SET
      reason = EXCLUDED.reason, removed_version = EXCLUDED.removed_version, removed_at = EXCLUDED.removed_at
    WHERE r.removed_version < EXCLUDED.removed_version`;

  // $1 group, $2 user, $3 version (µs), one element per removed member.
  const removed = `unnest($1::text[], $2::text[], $3::bigint[]) AS v(g, u, version)`;
  const deleteMembersSql = `
    DELETE FROM ${t('group_members')} AS m USING ${removed}
    WHERE m.group_id = v.g AND m.user_id = v.u AND m.member_version <= v.version`;

  // A row newer than a removal or a dismissal belongs to a later membership (a rejoin that was
  // applied first): what it still holds from before that version is stale.
  const forget = (version: string) => {
    const before = (column: string) => `m.${column} <= ${version}`;
    return `
      nickname       = CASE WHEN ${before('info_version')} THEN NULL ELSE m.nickname END,
      face_url       = CASE WHEN ${before('info_version')} THEN NULL ELSE m.face_url END,
      ex             = CASE WHEN ${before('info_version')} THEN NULL ELSE m.ex END,
      info_version   = CASE WHEN ${before('info_version')} THEN 0 ELSE m.info_version END,
      role_level     = CASE WHEN ${before('role_version')} THEN NULL ELSE m.role_level END,
      role_version   = CASE WHEN ${before('role_version')} THEN 0 ELSE m.role_version END,
      join_source    = CASE WHEN ${before('joined_version')} THEN NULL ELSE m.join_source END,
      req_message    = CASE WHEN ${before('joined_version')} THEN NULL ELSE m.req_message END,
      group_ex       = CASE WHEN ${before('joined_version')} THEN NULL ELSE m.group_ex END,
      joined_at      = CASE WHEN ${before('joined_version')} THEN ${ts('m.member_version')} ELSE m.joined_at END,
      joined_version = CASE WHEN ${before('joined_version')} THEN 0 ELSE m.joined_version END,
      updated_at     = now()`;
  };
  const forgetBeforeSql = `
    UPDATE ${t('group_members')} AS m SET ${forget('v.version')}
      FROM ${removed}
    WHERE m.group_id = v.g AND m.user_id = v.u AND m.member_version > v.version`;

  const recordDismissalSql = `
    INSERT INTO ${t('group_dismissals')} AS d (group_id, dismissed_version, dismissed_at)
    VALUES ($1, $2::bigint, ${ts('$2')})
    ON CONFLICT (group_id) DO UPDATE SET
      dismissed_version = EXCLUDED.dismissed_version, dismissed_at = EXCLUDED.dismissed_at
    WHERE d.dismissed_version < EXCLUDED.dismissed_version`;

  // $1 group, $2 version (µs) of its dismissal.
  const deleteGroupSql = `DELETE FROM ${t('group_members')} WHERE group_id = $1 AND member_version <= $2::bigint`;
  const forgetBeforeDismissalSql = `
    UPDATE ${t('group_members')} AS m SET ${forget('$2::bigint')}
    WHERE m.group_id = $1 AND m.member_version > $2::bigint`;

  return {
    upsert: prepared(upsertSql),
    recordRemoval: prepared(recordRemovalSql),
    deleteMembers: prepared(deleteMembersSql),
    forgetBefore: prepared(forgetBeforeSql),
    recordDismissal: prepared(recordDismissalSql),
    deleteGroup: prepared(deleteGroupSql),
    forgetBeforeDismissal: prepared(forgetBeforeDismissalSql),
  };
}
