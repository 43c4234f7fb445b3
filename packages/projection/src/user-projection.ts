import type { CallbackEvent } from '@openim-sync/schema';
import type pg from 'pg';
import type { VersionedEvent } from './membership-writes.js';
import { prepared } from './prepared.js';
import { ALL_USERS_LOCK_KEY, type LockSet, userLockKey } from './projection-locks.js';
import { columns, runsOfDistinct } from './runs.js';

const ts = (param: string) => `to_timestamp(${param}::bigint / 1000000.0)`;

/**
 * User profiles (register, update info) and presence (online, offline,
 * kicked off), bound to one schema. Profiles keep the newest value of each
 * field by receive time (µs), each field versioned on its own; presence keeps the newest report per user and
 * platform by OpenIM's own clock (`seq`, ms), so a late or repeated report
 * never overwrites a newer one.
 */
export function createUserProjection(schema: string) {
  const t = (table: string) => `${schema}.${table}`;
  // Each field has a version of its own: the newest value sent for it wins, whatever the
  // order updates arrive in. An update that leaves a field out (null) does not touch it.
  const fields = ['nickname', 'face_url', 'ex'];
  const fieldVersion = (field: string, from: string) =>
    `CASE WHEN ${from}.${field} IS NULL THEN 0 ELSE ${from}.info_version END`;
  const newest = (field: string) => `
      ${field} = CASE WHEN EXCLUDED.${field} IS NOT NULL AND EXCLUDED.info_version >= p.${field}_version
                      THEN EXCLUDED.${field} ELSE p.${field} END,
      ${field}_version = GREATEST(p.${field}_version, EXCLUDED.${field}_version),`;

  // One row per user of a run: user, nickname, face, ex, registered at (µs or null), version (µs).
  // The registration time is the earliest one seen, so it too is the same in any order.
  const profileSql = `
    INSERT INTO ${t('user_profiles')} AS p
      (user_id, nickname, face_url, ex, registered_at, info_version, ${fields.map((f) => `${f}_version`).join(', ')})
    SELECT e.user_id, e.nickname, e.face_url, e.ex, ${ts('e.registered_at')}, e.info_version,
           ${fields.map((f) => fieldVersion(f, 'e')).join(', ')}
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
        AS e(user_id, nickname, face_url, ex, registered_at, info_version)
    ON CONFLICT (user_id) DO UPDATE SET ${fields.map(newest).join('')}
      registered_at = LEAST(p.registered_at, EXCLUDED.registered_at),
      info_version  = GREATEST(p.info_version, EXCLUDED.info_version),
      updated_at    = now()`;

  // One row per user and platform of a run: user, platform id, platform, online, background,
  // conn id, seq (ms), version (µs).
  const presenceSql = `
    INSERT INTO ${t('user_presence')} AS p
      (user_id, platform_id, platform, online, is_app_background, conn_id, seq, reported_at)
    SELECT e.user_id, e.platform_id, e.platform, e.online, e.is_app_background, e.conn_id, e.seq, ${ts('e.version')}
      FROM unnest($1::text[], $2::int[], $3::text[], $4::bool[], $5::bool[], $6::text[], $7::bigint[], $8::bigint[])
        AS e(user_id, platform_id, platform, online, is_app_background, conn_id, seq, version)
    ON CONFLICT (user_id, platform_id) DO UPDATE SET
      platform = EXCLUDED.platform, online = EXCLUDED.online, is_app_background = EXCLUDED.is_app_background,
      conn_id = EXCLUDED.conn_id, seq = EXCLUDED.seq, reported_at = EXCLUDED.reported_at
    WHERE EXCLUDED.seq > p.seq
       OR (EXCLUDED.seq = p.seq AND EXCLUDED.reported_at > p.reported_at)`;

  const sql = { profile: prepared(profileSql), presence: prepared(presenceSql) };

  /**
   * Applies user events, in order, inside the caller's transaction, which
   * holds their locks; other events are left alone. Profiles and presence
   * are tables of their own, each written in runs of distinct keys, one
   * statement per run (see {@link runsOfDistinct}).
   */
  async function apply(client: pg.ClientBase, events: readonly VersionedEvent[]): Promise<void> {
    const profiles: (ProfileWrite & { version: number })[] = [];
    const presence: (PresenceWrite & { seq: number; version: number })[] = [];
    for (const { event, version } of events) {
      for (const w of userWrites(event, version)) {
        if (w.kind === 'profile') profiles.push({ ...w, version });
        // Without OpenIM's clock, the receive time (ms) orders the report.
        else presence.push({ ...w, seq: w.seq ?? Math.floor(version / 1000), version });
      }
    }
    for (const run of runsOfDistinct(profiles, (w) => w.userID)) {
      const values = columns(
        run,
        (w) => w.userID,
        (w) => w.nickname,
        (w) => w.faceURL,
        (w) => w.ex,
        (w) => w.registeredAt,
        (w) => w.version,
      );
      await client.query(sql.profile(values));
    }
    for (const run of runsOfDistinct(presence, (w) => `${w.userID}\u0000${w.platformID ?? 0}`)) {
      const values = columns(
        run,
        (w) => w.userID,
        (w) => w.platformID ?? 0,
        (w) => w.platform,
        (w) => w.online,
        (w) => w.isAppBackground,
        (w) => w.connID,
        (w) => w.seq,
        (w) => w.version,
      );
      await client.query(sql.presence(values));
    }
  }

  return { apply, lock: lockUsers };
}

/**
 * Adds the locks applying `event` needs: each user it writes, exclusively,
 * so two transactions writing the same users never deadlock on their rows,
 * and the all-users lock shared, so one writing too many users to lock one
 * by one can lock them all at once (see LockSet.escalate).
 */
export function lockUsers(event: CallbackEvent, locks: LockSet) {
  const writes = userWrites(event, 0);
  if (writes.length > 0) locks.key(ALL_USERS_LOCK_KEY, false);
  for (const w of writes) locks.key(userLockKey(w.userID), true);
}

interface ProfileWrite {
  kind: 'profile';
  userID: string;
  nickname: string | null;
  faceURL: string | null;
  ex: string | null;
  registeredAt: number | null;
}

interface PresenceWrite {
  kind: 'presence';
  userID: string;
  platformID: number | null;
  platform: string | null;
  seq: number | null;
  online: boolean;
  isAppBackground: boolean | null;
  connID: string | null;
}

type UserWrite = ProfileWrite | PresenceWrite;

function userWrites(event: CallbackEvent, version: number): UserWrite[] {
  switch (event.type) {
    case 'user.registered':
      return event.users.map((user) => ({
        kind: 'profile',
        ...user,
        registeredAt: user.createTime === null ? version : user.createTime * 1000,
      }));
    case 'user.info.updated':
      // A null field is "unchanged" and never clears a stored value (see profileSql). That matters
      // for `ex`: OpenIM fills only userID, nickName and faceURL in both update callbacks, so `ex`
      // is null in callbackAfterUpdateUserInfoExCommand and "" (read as null) in
      // callbackAfterUpdateUserInfoCommand, even when the user's ex did change (open-im-server
      // main, v3.8.3, v3.7.0: internal/rpc/user/callback.go webhookAfterUpdateUserInfoEx,
      // webhookAfterUpdateUserInfo). So the stored ex is the registered one.
      return [{ kind: 'profile', ...event, registeredAt: null }];
    case 'user.presence':
      return [{ ...event, kind: 'presence' }];
    case 'user.kicked.off':
      return [{ ...event, kind: 'presence', online: false, isAppBackground: null, connID: null }];
    default:
      return [];
  }
}
