import type { GroupAbstractInfo } from '@openim-sync/openim-client';
import type pg from 'pg';
import { prepared } from '../prepared.js';
import { groupLockKey } from '../projection-locks.js';
import type { ProjectedMember, ProjectionSnapshot } from './member-diff.js';

/** What OpenIM said about a group at its last reconcile. */
export interface ReconcileState {
  memberCount: number;
  memberListHash: string;
}

const ts = (param: string) => `to_timestamp(${param}::bigint / 1000000.0)`;
// Versions are µs since the epoch: bigint in Postgres, well within a double's exact range (until 2255).
const us = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::bigint AS ${column}`;

/**
 * The reconciler's SQL, bound to one (quoted) schema. Every method runs on
 * the caller's client or pool. Statements go through {@link prepared}, as
 * the writer's do, so ids are looked up in the form they are stored in.
 */
export function createReconcileStore(schema: string) {
  const t = (table: string) => `${schema}.${table}`;

  const membersSql = prepared(`
    SELECT user_id, role_level, join_source, req_message, group_ex, nickname, face_url, ex, ${us('joined_at')},
           member_version, joined_version, role_version, info_version
      FROM ${t('group_members')} WHERE group_id = $1`);

  // OpenIM listed these members at the reconcile's read: what the projection holds about them is
  // asserted as of that read, so a callback received before it and applied late cannot undo it.
  const confirmSql = prepared(`
    UPDATE ${t('group_members')} SET
      member_version = GREATEST(member_version, $3),
      role_version   = GREATEST(role_version, $3),
      info_version   = GREATEST(info_version, $3),
      joined_version = CASE WHEN joined_version = 0 THEN 0 ELSE GREATEST(joined_version, $3) END
    WHERE group_id = $1 AND user_id = ANY($2::text[])
      AND (member_version < $3 OR role_version < $3 OR info_version < $3
           OR (joined_version > 0 AND joined_version < $3))`);

  const recordSql = prepared(`
    INSERT INTO ${t('applied_events')} (event_id, command, group_id, received_at)
    VALUES ($1, 'reconcile', $2, ${ts('$3')})
    ON CONFLICT (event_id) DO NOTHING`);
  const lockSql = prepared('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))');
  const removalsSql = prepared(
    `SELECT user_id FROM ${t('group_member_removals')} WHERE group_id = $1 AND removed_version >= $2`,
  );
  const dismissalSql = prepared(`SELECT dismissed_version FROM ${t('group_dismissals')} WHERE group_id = $1`);
  const forgetStateSql = prepared(`DELETE FROM ${t('group_reconcile_state')} WHERE group_id = $1`);
  const saveStateSql = prepared(`
    INSERT INTO ${t('group_reconcile_state')} (group_id, member_count, member_list_hash, checked_at)
    VALUES ($1, $2, $3, now())
    ON CONFLICT (group_id) DO UPDATE SET
      member_count = EXCLUDED.member_count, member_list_hash = EXCLUDED.member_list_hash, checked_at = now()`);
  const statesSql = prepared(`
    SELECT group_id, member_count, member_list_hash FROM ${t('group_reconcile_state')}
     WHERE group_id = ANY($1::text[])`);
  const knownSql = prepared(`SELECT DISTINCT group_id FROM ${t('group_members')} ORDER BY group_id`);

  return {
    /** Blocks every other writer of the group until the transaction ends (they take it shared). */
    async lockGroup(client: pg.ClientBase, groupID: string) {
      await client.query(lockSql([groupLockKey(groupID)]));
    },

    async snapshot(client: pg.ClientBase, groupID: string, readAt: number): Promise<ProjectionSnapshot> {
      const [members, removals, dismissal] = [
        await client.query(membersSql([groupID])),
        await client.query<{ user_id: string }>(removalsSql([groupID, readAt])),
        await client.query<{ dismissed_version: string }>(dismissalSql([groupID])),
      ];
      const version = dismissal.rows[0]?.dismissed_version;
      return {
        members: members.rows.map(toProjectedMember),
        removedSince: new Set(removals.rows.map((r) => r.user_id)),
        dismissedVersion: version === undefined ? null : Number(version),
      };
    },

    async confirm(client: pg.ClientBase, groupID: string, userIDs: string[], readAt: number) {
      if (userIDs.length > 0) await client.query(confirmSql([groupID, userIDs, readAt]));
    },

    /** Records the reconcile in applied_events; false when this very reconcile was applied before. */
    async record(client: pg.ClientBase, eventID: string, groupID: string, readAt: number): Promise<boolean> {
      const result = await client.query(recordSql([eventID, groupID, readAt]));
      return result.rowCount === 1;
    },

    /** Remembers OpenIM's count and hash for the skip; forgets them when there are none (dismissed, empty). */
    async saveState(client: pg.ClientBase, groupID: string, info: GroupAbstractInfo | undefined) {
      if (!info) {
        await client.query(forgetStateSql([groupID]));
        return;
      }
      await client.query(saveStateSql([groupID, info.memberCount, info.memberListHash]));
    },

    async states(db: pg.Pool | pg.ClientBase, groupIDs: string[]): Promise<Map<string, ReconcileState>> {
      const { rows } = await db.query<{ group_id: string; member_count: number; member_list_hash: string }>(
        statesSql([groupIDs]),
      );
      return new Map(
        rows.map((r) => [r.group_id, { memberCount: r.member_count, memberListHash: r.member_list_hash }]),
      );
    },

    /** Every group the projection has members of. */
    async knownGroupIDs(db: pg.Pool | pg.ClientBase): Promise<string[]> {
      const { rows } = await db.query<{ group_id: string }>(knownSql([]));
      return rows.map((r) => r.group_id);
    },
  };
}

export type ReconcileStore = ReturnType<typeof createReconcileStore>;

function toProjectedMember(row: Record<string, unknown>): ProjectedMember {
  const n = (value: unknown) => Number(value);
  const nullable = <T>(value: unknown) => (value === null || value === undefined ? null : (value as T));
  return {
    userID: row.user_id as string,
    roleLevel: nullable<number>(row.role_level),
    joinSource: nullable<number>(row.join_source),
    reqMessage: nullable<string>(row.req_message),
    groupEx: nullable<string>(row.group_ex),
    nickname: nullable<string>(row.nickname),
    faceURL: nullable<string>(row.face_url),
    ex: nullable<string>(row.ex),
    joinedAt: n(row.joined_at),
    memberVersion: n(row.member_version),
    joinedVersion: n(row.joined_version),
    roleVersion: n(row.role_version),
    infoVersion: n(row.info_version),
  };
}
