import type { CallbackEvent } from '@openim-sync/schema';
import type pg from 'pg';
import type { VersionedEvent } from './membership-writes.js';
import { prepared } from './prepared.js';
import { type LockSet, userLockKey } from './projection-locks.js';

const ts = (param: string) => `to_timestamp(${param}::bigint / 1000000.0)`;

/**
 * User profiles (register, update info) and presence (online, offline,
 * kicked off), bound to one schema. Profiles keep the newest value of each
 * field by receive time (µs); presence keeps the newest report per user and
 * platform by OpenIM's own clock (`seq`, ms), so a late or repeated report
 * never overwrites a newer one.
 */
export function createUserProjection(schema: string) {
  const t = (table: string) => `${schema}.${table}`;
  const newer = (field: string) =>
    `CASE WHEN EXCLUDED.${field} IS NOT NULL AND EXCLUDED.info_version >= p.info_version THEN EXCLUDED.${field} ELSE p.${field} END`;

  // $1 user, $2 nickname, $3 face, $4 ex, $5 registered at (µs or null), $6 version (µs)
  const profileSql = `
    INSERT INTO ${t('user_profiles')} AS p (user_id, nickname, face_url, ex, registered_at, info_version)
    VALUES ($1, $2, $3, $4, ${ts('$5')}, $6::bigint)
    ON CONFLICT (user_id) DO UPDATE SET
      nickname      = ${newer('nickname')},
      face_url      = ${newer('face_url')},
      ex            = ${newer('ex')},
      registered_at = COALESCE(p.registered_at, EXCLUDED.registered_at),
      info_version  = GREATEST(p.info_version, EXCLUDED.info_version),
      updated_at    = now()`;

  // $1 user, $2 platform id, $3 platform, $4 online, $5 background, $6 conn id, $7 seq (ms), $8 version (µs)
  const presenceSql = `
    INSERT INTO ${t('user_presence')} AS p
      (user_id, platform_id, platform, online, is_app_background, conn_id, seq, reported_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7::bigint, ${ts('$8')})
    ON CONFLICT (user_id, platform_id) DO UPDATE SET
      platform = EXCLUDED.platform, online = EXCLUDED.online, is_app_background = EXCLUDED.is_app_background,
      conn_id = EXCLUDED.conn_id, seq = EXCLUDED.seq, reported_at = EXCLUDED.reported_at
    WHERE EXCLUDED.seq > p.seq
       OR (EXCLUDED.seq = p.seq AND EXCLUDED.reported_at > p.reported_at)`;

  const sql = { profile: prepared(profileSql), presence: prepared(presenceSql) };

  /** Applies user events, in order, inside the caller's transaction, which holds their locks; other events are left alone. */
  async function apply(client: pg.ClientBase, events: readonly VersionedEvent[]): Promise<void> {
    for (const { event, version } of events) {
      for (const w of userWrites(event, version)) {
        if (w.kind === 'profile') {
          await client.query(sql.profile([w.userID, w.nickname, w.faceURL, w.ex, w.registeredAt, version]));
          continue;
        }
        // Without OpenIM's clock, the receive time (ms) orders the report.
        const seq = w.seq ?? Math.floor(version / 1000);
        const values = [w.userID, w.platformID ?? 0, w.platform, w.online, w.isAppBackground, w.connID, seq, version];
        await client.query(sql.presence(values));
      }
    }
  }

  return { apply, lock: lockUsers };
}

/**
 * Adds the locks applying `event` needs: each user it writes, exclusively,
 * so two transactions writing the same users never deadlock on their rows.
 */
export function lockUsers(event: CallbackEvent, locks: LockSet) {
  for (const w of userWrites(event, 0)) locks.key(userLockKey(w.userID), true);
}

type UserWrite =
  | {
      kind: 'profile';
      userID: string;
      nickname: string | null;
      faceURL: string | null;
      ex: string | null;
      registeredAt: number | null;
    }
  | {
      kind: 'presence';
      userID: string;
      platformID: number | null;
      platform: string | null;
      seq: number | null;
      online: boolean;
      isAppBackground: boolean | null;
      connID: string | null;
    };

function userWrites(event: CallbackEvent, version: number): UserWrite[] {
  switch (event.type) {
    case 'user.registered':
      return event.users.map((user) => ({
        kind: 'profile',
        ...user,
        registeredAt: user.createTime === null ? version : user.createTime * 1000,
      }));
    case 'user.info.updated':
      return [{ kind: 'profile', ...event, registeredAt: null }];
    case 'user.presence':
      return [{ ...event, kind: 'presence' }];
    case 'user.kicked.off':
      return [{ ...event, kind: 'presence', online: false, isAppBackground: null, connID: null }];
    default:
      return [];
  }
}
