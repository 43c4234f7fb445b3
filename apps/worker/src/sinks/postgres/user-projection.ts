import type { CallbackEvent } from '@openim-sync/schema';
import type pg from 'pg';

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

  async function presence(
    client: pg.ClientBase,
    e: { userID: string; platformID: number | null; platform: string | null; seq: number | null },
    online: boolean,
    extra: { isAppBackground: boolean | null; connID: string | null },
    version: number,
  ) {
    // Without OpenIM's clock, the receive time (ms) orders the report.
    const seq = e.seq ?? Math.floor(version / 1000);
    await client.query(presenceSql, [
      e.userID,
      e.platformID ?? 0,
      e.platform,
      online,
      extra.isAppBackground,
      extra.connID,
      seq,
      version,
    ]);
  }

  /** Applies a user event inside the caller's transaction; other events are left alone. */
  async function apply(client: pg.ClientBase, event: CallbackEvent, version: number): Promise<void> {
    switch (event.type) {
      case 'user.registered':
        for (const user of event.users) {
          const registeredAt = user.createTime === null ? version : user.createTime * 1000;
          await client.query(profileSql, [user.userID, user.nickname, user.faceURL, user.ex, registeredAt, version]);
        }
        return;
      case 'user.info.updated':
        await client.query(profileSql, [event.userID, event.nickname, event.faceURL, event.ex, null, version]);
        return;
      case 'user.presence':
        return presence(client, event, event.online, event, version);
      case 'user.kicked.off':
        return presence(client, event, false, { isAppBackground: null, connID: null }, version);
      default:
        return;
    }
  }

  return { apply };
}
