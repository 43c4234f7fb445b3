import type pg from 'pg';
import { toPgText } from './pg-text.js';
import { prepared } from './prepared.js';

/** The advisory-lock key of a group: shared by member writers, exclusive for dismissals, transfers and reconciles. */
export function groupLockKey(groupID: string) {
  return `openim-sync:group:${groupID}`;
}

/** The advisory-lock key of a user's profile and presence rows. */
export function userLockKey(userID: string) {
  return `openim-sync:user:${userID}`;
}

/**
 * The advisory locks a transaction needs, gathered before it writes
 * anything: keys (a group, shared or exclusive; a user, exclusive) and
 * members (group, user: exclusive). Each key is taken once, in its strongest
 * mode: a transaction holding a shared lock that then asks for the exclusive
 * one can deadlock with another holder of the shared lock. Keys are kept as
 * stored ({@link toPgText}), like the ids Postgres returns.
 */
export class LockSet {
  readonly keys = new Map<string, boolean>();
  readonly memberGroups: string[] = [];
  readonly memberUsers: string[] = [];

  key(name: string, exclusive: boolean) {
    const stored = toPgText(name);
    this.keys.set(stored, exclusive || this.keys.get(stored) === true);
  }

  has(name: string) {
    return this.keys.has(toPgText(name));
  }

  exclusive(name: string) {
    return this.keys.get(toPgText(name)) === true;
  }

  members(groupID: string, userIDs: readonly string[]) {
    for (const userID of userIDs) {
      this.memberGroups.push(groupID);
      this.memberUsers.push(userID);
    }
  }

  get empty() {
    return this.keys.size === 0 && this.memberGroups.length === 0;
  }
}

// Every lock of a transaction in one round trip, in one global order: the keys (bigint space) by
// hash, then the members (two-int space) by group hash and user hash. Every transaction takes its
// locks in this order (and none after its writes start), so two of them never wait on each other
// in a cycle, however many groups a batch spans. Members keep their key format: hashtext(group),
// hashtext(user).
const lockSql = prepared(`
  SELECT CASE WHEN tier = 1 THEN pg_advisory_xact_lock(a::integer, b)
              WHEN exclusive THEN pg_advisory_xact_lock(a)
              ELSE pg_advisory_xact_lock_shared(a) END AS locked
    FROM (SELECT 0 AS tier, hashtextextended(name, 0) AS a, 0 AS b, bool_or(x) AS exclusive
            FROM unnest($1::text[], $2::boolean[]) AS k(name, x) GROUP BY 2
          UNION ALL
          SELECT DISTINCT 1, hashtext(g), hashtext(u), true FROM unnest($3::text[], $4::text[]) AS m(g, u)
          ORDER BY 1, 2, 3) AS keys`);

/** Takes every lock of `locks` (transaction-scoped: they end with the transaction). */
export async function takeLocks(client: pg.ClientBase, locks: LockSet) {
  if (locks.empty) return;
  await client.query(
    lockSql([[...locks.keys.keys()], [...locks.keys.values()], locks.memberGroups, locks.memberUsers]),
  );
}
