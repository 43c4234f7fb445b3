import { eventGroupID } from '@openim-sync/schema';
import type pg from 'pg';
import { prepared } from './prepared.js';
import { createProjection } from './projection.js';
import type { ProjectionEvent, ProjectionOutcome } from './projection-event.js';
import { groupLockKey, LockSet, takeLocks } from './projection-locks.js';
import { createUserProjection } from './user-projection.js';

/**
 * Applies a batch of events inside the caller's transaction, in arrival
 * order, in few round trips: one statement records every id in
 * `applied_events` and returns those not recorded before; one takes every
 * lock the new events need; then their writes, consecutive member writes of
 * one kind together. An id recorded before (a retry, a second delivery, a
 * duplicate within the batch) changes nothing. `exclusiveGroups` are locked
 * exclusively whatever the events need (a retry after the membership
 * projection asked for it: `GroupLockNeeded`).
 */
export function createBatchApply(schema: string) {
  const membership = createProjection(schema);
  const users = createUserProjection(schema);
  // Ids in sorted order: two batches inserting the same ids wait on each other in one order only.
  const recordSql = prepared(`
    INSERT INTO ${schema}.applied_events (event_id, command, group_id, received_at)
    SELECT id, command, group_id, to_timestamp(version / 1000000.0)
      FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS e(id, command, group_id, version)
     ORDER BY id
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id`);

  return async function applyBatch(
    client: pg.ClientBase,
    items: readonly ProjectionEvent[],
    exclusiveGroups: ReadonlySet<string> = new Set(),
  ): Promise<ProjectionOutcome[]> {
    const firsts = new Map<string, ProjectionEvent>();
    for (const item of items) if (!firsts.has(item.id)) firsts.set(item.id, item);
    const unique = [...firsts.values()];
    // Versions are µs: receivedAt carries µs fractions that order callbacks of the same ms.
    const versions = new Map(unique.map((item) => [item.id, Math.round(item.receivedAt * 1000)]));
    const { rows } = await client.query<{ event_id: string }>(
      recordSql([
        unique.map((item) => item.id),
        unique.map((item) => item.command),
        unique.map((item) => eventGroupID(item.event)),
        [...versions.values()],
      ]),
    );
    const fresh = new Set(rows.map((row) => row.event_id));
    const todo = unique.filter((item) => fresh.has(item.id));
    const locks = new LockSet();
    for (const item of todo) {
      membership.lock(item.event, locks);
      users.lock(item.event, locks);
    }
    for (const groupID of exclusiveGroups) if (locks.has(groupLockKey(groupID))) locks.key(groupLockKey(groupID), true);
    await takeLocks(client, locks);
    const events = todo.map((item) => ({ event: item.event, version: versions.get(item.id) as number }));
    // The projections write disjoint tables: one after the other is the same as interleaved.
    await membership.apply(client, events, (groupID) => locks.exclusive(groupLockKey(groupID)));
    await users.apply(client, events);
    // The first of each id is the one applied; a later duplicate in the same batch found it recorded.
    const claimed = new Set<string>();
    return items.map((item) => {
      if (!fresh.has(item.id) || claimed.has(item.id)) return 'already-applied';
      claimed.add(item.id);
      return 'applied';
    });
  };
}
