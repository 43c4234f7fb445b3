// A group created with 20,000 members and all of them kicked at once, through the projection writer
// into the real Postgres, while joins to other groups go through the same writer. Postgres's lock
// table holds max_locks_per_transaction × max_connections entries (64 × 100 by default) for the
// whole server: a transaction taking one lock per member would exhaust it, failing itself and
// whatever else wanted a lock meanwhile.
import type { CallbackEvent } from '@openim-sync/schema';
import { describe, expect, it } from 'vitest';
import type { ProjectionOutcome } from '../src/index.js';
import { memberEvents } from './member-events.js';
import { useProjectionWriter } from './projection-writer-fixture.js';

const pg = useProjectionWriter('pg_large');
const MEMBERS = 20_000;
const userIDs = Array.from({ length: MEMBERS }, (_, i) => `${7_000_000_000 + i}`);
const BIG = 'g-twenty-thousand';

const join = memberEvents.joined;

async function count(groupID: string) {
  const [row] = await pg.schema.rows<{ n: string }>(
    'SELECT count(*) AS n FROM $schema.group_members WHERE group_id = $1',
    [groupID],
  );
  return Number(row?.n);
}

/**
 * Applies `big` while joins to other groups keep arriving, one after another on four lanes,
 * until it is done; every one of them must apply. Resolves with the big event's time in ms.
 */
async function applyAlongsideJoins(
  big: CallbackEvent,
  receivedAt: number,
  lane: string,
  beside: (lane: string, l: number, i: number) => CallbackEvent = (name, l, i) =>
    join(`${name}-${l}-${i % 10}`, `u-${l}-${i}`),
) {
  let done = false;
  const others: Array<Promise<ProjectionOutcome>> = [];
  const lanes = Array.from({ length: 4 }, async (_, l) => {
    for (let i = 0; !done || i < 5; i++) {
      const outcome = pg.apply(beside(lane, l, i), receivedAt + i);
      others.push(outcome);
      await outcome.catch(() => {});
    }
  });
  const started = performance.now();
  const outcome = await pg.apply(big, receivedAt).finally(() => {
    done = true;
  });
  const ms = performance.now() - started;
  await Promise.all(lanes);
  expect(outcome).toBe('applied');
  const results = await Promise.allSettled(others);
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  expect(results.length).toBeGreaterThanOrEqual(20);
  return { ms, others: results.length };
}

describe('projection writer, a group of 20,000 members', () => {
  it('creates it and kicks everyone in one event each, while other groups’ joins apply', async () => {
    const create: CallbackEvent = {
      type: 'group.created',
      groupID: BIG,
      groupName: 'everyone',
      ownerUserID: userIDs[0] ?? null,
      creatorUserID: userIDs[0] ?? null,
      createTime: 1_000,
      ex: null,
      members: userIDs.map((userID, i) => ({ userID, roleLevel: i === 0 ? 100 : 20 })),
    };
    const created = await applyAlongsideJoins(create, 1_000_000, 'g-created-beside');
    expect(await count(BIG)).toBe(MEMBERS);

    const kick: CallbackEvent = { type: 'group.members.kicked', groupID: BIG, userIDs: userIDs.slice(1), reason: null };
    const kicked = await applyAlongsideJoins(kick, 2_000_000, 'g-kicked-beside');
    expect(await count(BIG)).toBe(1);
    const [removals] = await pg.schema.rows<{ n: string }>(
      "SELECT count(*) AS n FROM $schema.group_member_removals WHERE group_id = $1 AND reason = 'kicked'",
      [BIG],
    );
    expect(Number(removals?.n)).toBe(MEMBERS - 1);
    // The joins beside them landed too, each in its own group.
    expect(await count('g-kicked-beside-0-0')).toBeGreaterThan(0);

    // For docs/RELIABILITY.md: how long the two events take on this machine.
    console.info(
      `20,000-member create: ${Math.round(created.ms)} ms (${created.others} joins beside it); ` +
        `kick of 19,999: ${Math.round(kicked.ms)} ms (${kicked.others} joins beside it)`,
    );
  }, 180_000);
});

describe('projection writer, a registration of 20,000 users', () => {
  it('applies in one event while other users’ presence reports apply', async () => {
    const register: CallbackEvent = {
      type: 'user.registered',
      users: userIDs.map((userID) => ({ userID, nickname: `n${userID}`, faceURL: null, ex: null, createTime: null })),
    };
    const presence = (lane: string, l: number, i: number): CallbackEvent => ({
      type: 'user.presence',
      userID: `${lane}-${l}-${i % 10}`,
      online: i % 2 === 0,
      platformID: 5,
      platform: 'Web',
      seq: 1_000 + i,
      isAppBackground: null,
      connID: null,
    });
    const registered = await applyAlongsideJoins(register, 3_000_000, 'p-beside', presence);
    const [row] = await pg.schema.rows<{ n: string }>(
      "SELECT count(*) AS n FROM $schema.user_profiles WHERE user_id LIKE '7%'",
    );
    expect(Number(row?.n)).toBe(MEMBERS);
    console.info(`20,000-user registration: ${Math.round(registered.ms)} ms (${registered.others} reports beside it)`);
  }, 180_000);
});
