import { RoleLevel } from '@openim-sync/schema';
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
 *   newest value each;
 * - every level is also kept by version in `group_member_roles`, so a
 *   transfer's old owner gets the level its new owner held at the transfer,
 *   whichever arrived first (see `settleRoles`).
 */
export function createMembershipSql(schema: string) {
  const t = (table: string) => `${schema}.${table}`;
  const newer = (field: string, version: string) =>
    `CASE WHEN EXCLUDED.${field} IS NOT NULL AND EXCLUDED.${version} >= m.${version} THEN EXCLUDED.${field} ELSE m.${field} END`;
  const fromNewestJoin = (field: string) =>
    `CASE WHEN EXCLUDED.joined_version > m.joined_version THEN EXCLUDED.${field} ELSE m.${field} END`;

  // Groups of the statement's role-bearing rows (`v`) with a transfer at or after the row's version:
  // the old owners' levels there may depend on what this statement recorded. Evaluated in the
  // statement's snapshot, which holds every transfer committed before it: a transfer takes the
  // group's lock exclusively, so none commits while this statement's transaction holds it shared.
  const transfersSince = (filter: string) => `
    SELECT ARRAY(SELECT DISTINCT v.g FROM v JOIN ${t('group_member_roles')} d
                     ON d.group_id = v.g AND d.version >= v.version AND d.role_from IS NOT NULL
                  WHERE ${filter}) AS settle`;

  // One row per member: $1 group, $2 user, $3 role, $4 join source, $5 req message, $6 nickname,
  // $7 face, $8 ex, $9 group ex, $10 joined at (µs, or null), $11 version (µs), $12 the user whose
  // level a transfer's old owner takes (or null); no (group, user) twice. Every level is recorded in
  // the role history, also when the member row itself is refused (a newer removal): it still says
  // what the member held at that version.
  const upsertSql = `
    WITH v AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::integer[], $5::text[], $6::text[],
                           $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::text[])
        AS v(g, u, role, source, req, nick, face, ex, gex, joined, version, role_from)
    ), history AS (
      INSERT INTO ${t('group_member_roles')} AS r (group_id, user_id, version, role_level, role_from)
      SELECT v.g, v.u, v.version, CASE WHEN v.role_from IS NULL THEN v.role END, v.role_from
        FROM v WHERE v.role IS NOT NULL OR v.role_from IS NOT NULL
      ON CONFLICT (group_id, user_id, version) DO UPDATE SET
        role_level = EXCLUDED.role_level, role_from = EXCLUDED.role_from
    ), members AS (
      INSERT INTO ${t('group_members')} AS m
        (group_id, user_id, role_level, join_source, req_message, nickname, face_url, ex, group_ex,
         joined_at, member_version, joined_version, role_version, info_version)
      SELECT v.g, v.u, v.role, v.source, v.req, v.nick, v.face, v.ex, v.gex,
             ${ts('COALESCE(v.joined, v.version)')}, v.version,
             CASE WHEN v.joined IS NULL THEN 0 ELSE v.version END,
             CASE WHEN v.role IS NULL THEN 0 ELSE v.version END,
             CASE WHEN v.nick IS NULL AND v.face IS NULL AND v.ex IS NULL THEN 0 ELSE v.version END
        FROM v
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
        updated_at     = now()
    )
    ${transfersSince('v.role IS NOT NULL OR v.role_from IS NOT NULL')}`;

  // One row per removed member: $1 group, $2 user, $3 reason, $4 version (µs); no (group, user) twice.
  // The role history records the end of the membership: a later level of the user is that of a
  // new membership (20 unless an event says otherwise).
  const recordRemovalSql = `
    WITH v AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS v(g, u, reason, version)
    ), history AS (
      INSERT INTO ${t('group_member_roles')} (group_id, user_id, version)
      SELECT v.g, v.u, v.version FROM v
      ON CONFLICT (group_id, user_id, version) DO UPDATE SET role_level = NULL, role_from = NULL
    ), removals AS (
      INSERT INTO ${t('group_member_removals')} AS r (group_id, user_id, reason, removed_version, removed_at)
      SELECT v.g, v.u, v.reason, v.version, ${ts('v.version')} FROM v
      ON CONFLICT (group_id, user_id) DO UPDATE SET
        reason = EXCLUDED.reason, removed_version = EXCLUDED.removed_version, removed_at = EXCLUDED.removed_at
      WHERE r.removed_version < EXCLUDED.removed_version
    )
    ${transfersSince('true')}`;

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

  // The levels of the transfers' old owners in the groups $1, from the versions $2 on: each is the
  // level its new owner (role_from) held just before the transfer, found by walking the role
  // history back (that level may itself come from an earlier transfer). No entry, or a removal,
  // means an ordinary member: the only ways into a group that send no callback give 20
  // (open-im-server main, v3.8.3, v3.7.0 internal/rpc/group/group.go InviteUserToGroup,
  // GroupApplicationResponse). Only rows whose level still comes from that transfer change.
  const settleSql = `
    WITH RECURSIVE touched AS (
      SELECT t.g, min(t.v) AS v FROM unnest($1::text[], $2::bigint[]) AS t(g, v) GROUP BY t.g
    ), walk (group_id, user_id, version, ask_user, ask_before, level) AS (
      SELECT d.group_id, d.user_id, d.version, d.role_from, d.version, NULL::integer
        FROM touched t JOIN ${t('group_member_roles')} d
          ON d.group_id = t.g AND d.version >= t.v AND d.role_from IS NOT NULL
      UNION ALL
      SELECT w.group_id, w.user_id, w.version, e.role_from, e.version,
             CASE WHEN e.role_from IS NULL THEN COALESCE(e.role_level, ${RoleLevel.member}) END
        FROM walk w
        LEFT JOIN LATERAL (
          SELECT r.version, r.role_level, r.role_from FROM ${t('group_member_roles')} r
           WHERE r.group_id = w.group_id AND r.user_id = w.ask_user AND r.version < w.ask_before
           ORDER BY r.version DESC LIMIT 1) e ON true
       WHERE w.level IS NULL
    )
    UPDATE ${t('group_members')} AS m SET role_level = w.level, updated_at = now()
      FROM walk w
     WHERE w.level IS NOT NULL AND m.group_id = w.group_id AND m.user_id = w.user_id
       AND m.role_version = w.version AND m.role_level IS DISTINCT FROM w.level`;

  return {
    upsert: prepared(upsertSql),
    recordRemoval: prepared(recordRemovalSql),
    deleteMembers: prepared(deleteMembersSql),
    forgetBefore: prepared(forgetBeforeSql),
    settleRoles: prepared(settleSql),
    recordDismissal: prepared(recordDismissalSql),
    deleteGroup: prepared(deleteGroupSql),
    forgetBeforeDismissal: prepared(forgetBeforeDismissalSql),
  };
}
