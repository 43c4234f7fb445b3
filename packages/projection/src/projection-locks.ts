import type pg from 'pg';
import { toPgText } from './pg-text.js';
import { prepared } from './prepared.js';

/** The advisory-lock key of a group: shared by member writers, exclusive for dismissals, transfers and reconciles. */
export function groupLockKey(groupID: string) {
  return `openim-sync:group:${groupID}`;
}

const USER_KEY_PREFIX = 'openim-sync:user:';

/** The advisory-lock key of a user's profile and presence rows. */
export function userLockKey(userID: string) {
  return `${USER_KEY_PREFIX}${userID}`;
}

/**
 * Held shared by every writer of users' rows, exclusive by a transaction
 * writing more users than it may lock one by one (a register callback of a
 * bulk import): the users' counterpart of a group's lock.
 */
export const ALL_USERS_LOCK_KEY = 'openim-sync:users';

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

  /**
   * Trades member locks for group locks until at most `budget` member locks
   * remain, the groups with the most members first: a group's exclusive lock
   * keeps out every other writer of its members (each holds the group's lock
   * at least shared), so its member locks add nothing then.
   */
  escalate(budget: number) {
    this.escalateUsers(budget);
    if (this.memberGroups.length <= budget) return;
    const perGroup = new Map<string, number>();
    for (const groupID of this.memberGroups) perGroup.set(groupID, (perGroup.get(groupID) ?? 0) + 1);
    const escalated = new Set<string>();
    let left = this.memberGroups.length;
    for (const [groupID, members] of [...perGroup].sort((a, b) => b[1] - a[1])) {
      if (left <= budget) break;
      escalated.add(groupID);
      this.key(groupLockKey(groupID), true);
      left -= members;
    }
    const groups = this.memberGroups.splice(0);
    const users = this.memberUsers.splice(0);
    groups.forEach((groupID, i) => {
      if (escalated.has(groupID)) return;
      this.memberGroups.push(groupID);
      this.memberUsers.push(users[i] as string);
    });
  }

  /** Trades more than `budget` user locks for {@link ALL_USERS_LOCK_KEY}, exclusive. */
  private escalateUsers(budget: number) {
    const userKeys = [...this.keys.keys()].filter((name) => name.startsWith(USER_KEY_PREFIX));
    if (userKeys.length <= budget) return;
    for (const name of userKeys) this.keys.delete(name);
    this.key(ALL_USERS_LOCK_KEY, true);
  }
}

/**
 * Most member locks one transaction takes. Postgres's lock table is shared
 * by the whole server and sized for max_locks_per_transaction (64 by
 * default) × max_connections entries; one lock per member of a 20,000-member
 * create or kick overflows it ("out of shared memory"), failing that
 * transaction and any other asking for a lock meanwhile. A batch of single
 * joins (POSTGRES_BATCH_MAX 64) stays within it and keeps its per-member
 * locks; past it, the biggest groups are locked whole instead.
 */
export const MEMBER_LOCK_BUDGET = 64;

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

/**
 * Takes every lock of `locks` (transaction-scoped: they end with the
 * transaction), escalated first to at most {@link MEMBER_LOCK_BUDGET} member
 * locks and as many user locks: ask `locks.exclusive` afterwards which groups the transaction holds.
 */
export async function takeLocks(client: pg.ClientBase, locks: LockSet) {
  locks.escalate(MEMBER_LOCK_BUDGET);
  if (locks.empty) return;
  await client.query(
    lockSql([[...locks.keys.keys()], [...locks.keys.values()], locks.memberGroups, locks.memberUsers]),
  );
}
