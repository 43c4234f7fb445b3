import { randomBytes } from 'node:crypto';
import type { Logger } from '@openim-sync/runtime';
import type { CallbackEvent } from '@openim-sync/schema';
import { createTestSchema, type TestSchema } from '@openim-sync/testing';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import {
  createProjectionWriter,
  EventRefusedError,
  type ProjectionOutcome,
  type ProjectionWriter,
} from '../src/index.js';
import { groupLockKey } from '../src/projection-locks.js';
import { memberEvents } from './member-events.js';

// Group commit: events that arrive while every pooled connection is busy share one transaction.
const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

/** A logger that keeps the warnings: a failed batch says so. */
function recordingLogger() {
  const warnings: string[] = [];
  const logger = {
    warn: (_fields: unknown, message: string) => warnings.push(message),
    info: () => {},
    debug: () => {},
    error: () => {},
  } as unknown as Logger;
  return { logger, warnings };
}

async function testSchema(label: string) {
  const schema = await createTestSchema(inject('databaseUrl'), label);
  closing.push(() => schema.drop());
  return schema;
}

async function openSink(schema: TestSchema, poolSize: number, batchMax: number, logger: Logger) {
  const sink = await createProjectionWriter({
    url: inject('databaseUrl'),
    schema: schema.name,
    poolSize,
    batchMax,
    logger,
  });
  closing.push(() => sink.close());
  return sink;
}

interface Arrival {
  id: string;
  event: CallbackEvent;
  receivedAt: number;
}

const applyTo = (sink: ProjectionWriter, { id, event, receivedAt }: Arrival) =>
  sink.apply({ id, command: 'test', receivedAt, event });

/** Every projection row, without the time of the write: what two ways of applying must agree on. */
async function snapshot(schema: TestSchema) {
  const tables = {
    members: `SELECT group_id, user_id, role_level, join_source, nickname, joined_at, member_version, joined_version,
                     role_version, info_version FROM $schema.group_members ORDER BY 1, 2`,
    removals: 'SELECT * FROM $schema.group_member_removals ORDER BY 1, 2',
    dismissals: 'SELECT * FROM $schema.group_dismissals ORDER BY 1',
    presence: 'SELECT * FROM $schema.user_presence ORDER BY 1, 2',
    profiles:
      'SELECT user_id, nickname, face_url, ex, info_version, registered_at FROM $schema.user_profiles ORDER BY 1',
  };
  const rows = await Promise.all(Object.values(tables).map((sql) => schema.rows(sql)));
  return JSON.stringify(rows);
}

/**
 * `count` membership and user events over a few groups and users, each with
 * its own receive time, arriving in another order than their times.
 */
function randomArrivals(count: number, seed: number, label: string, dismissals = true): Arrival[] {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)] as T;
  const times = Array.from({ length: count }, (_, i) => 1_000_000 + i).sort(() => random() - 0.5);
  return times.map((receivedAt, i) => {
    const groupID = pick(['g1', 'g2', 'g3']);
    const userID = pick(['u1', 'u2', 'u3', 'u4', 'u5']);
    const kinds: CallbackEvent[] = [
      { type: 'group.member.joined', groupID, userID, joinSource: 2, reqMessage: null, ex: null, groupEx: null },
      { type: 'group.member.joined', groupID, userID, joinSource: 3, reqMessage: null, ex: null, groupEx: null },
      { type: 'group.member.quit', groupID, userID },
      { type: 'group.members.kicked', groupID, userIDs: [userID, pick(['u1', 'u2'])], reason: null },
      { type: 'group.member.info.set', groupID, userID, nickname: `n${i}`, faceURL: null, roleLevel: 60, ex: null },
      { type: 'group.owner.transferred', groupID, oldOwnerUserID: userID, newOwnerUserID: pick(['u1', 'u2']) },
      // Updates that leave fields out: each field must keep the newest value sent for it.
      {
        type: 'user.info.updated',
        userID,
        nickname: random() < 0.6 ? `p${i}` : null,
        faceURL: random() < 0.5 ? `f${i}` : null,
        ex: random() < 0.3 ? `x${i}` : null,
      },
      {
        type: 'user.presence',
        userID,
        online: random() < 0.5,
        platformID: 1,
        platform: 'IOS',
        seq: receivedAt,
        isAppBackground: null,
        connID: null,
      },
      // Without OpenIM's clock: the receive time orders it.
      { type: 'user.kicked.off', userID, platformID: pick([1, 2]), platform: null, seq: null },
      {
        type: 'user.registered',
        users: [userID, pick(['u1', 'u2'])].map((id) => ({
          userID: id,
          nickname: `r${i}`,
          faceURL: null,
          ex: null,
          createTime: null,
        })),
      },
    ];
    if (dismissals && random() < 0.03)
      kinds.splice(0, kinds.length, { type: 'group.dismissed', groupID, ownerUserID: null, memberUserIDs: [] });
    return { id: `${label}-${i}`, event: pick(kinds), receivedAt };
  });
}

/** The arrivals applied one at a time, in arrival order: the state batches must reach. */
async function appliedOneByOne(arrivals: Arrival[]) {
  const schema = await testSchema('pg_batch_ref');
  const sink = await openSink(schema, 1, 1, recordingLogger().logger);
  for (const arrival of arrivals) await applyTo(sink, arrival);
  return snapshot(schema);
}

describe('projection writer, group commit', () => {
  it('applies many concurrent events in batches to the same state as one by one', async () => {
    const arrivals = randomArrivals(400, 7, 'conv');
    const schema = await testSchema('pg_batch');
    const { logger, warnings } = recordingLogger();
    const sink = await openSink(schema, 2, 16, logger);
    const outcomes = await Promise.all(arrivals.map((arrival) => applyTo(sink, arrival)));
    expect(new Set(outcomes)).toEqual(new Set(['applied']));
    expect(warnings).toEqual([]);
    // Events of one transaction share its start time: far fewer transactions than events.
    const [tx] = await schema.rows<{ n: number }>(
      'SELECT count(DISTINCT applied_at)::int AS n FROM $schema.applied_events',
    );
    expect(tx?.n).toBeLessThan(arrivals.length / 4);
    expect(await snapshot(schema)).toBe(await appliedOneByOne(arrivals));
  });

  it('fails a poison event alone and for good: the rest of its batch commits', async () => {
    const schema = await testSchema('pg_batch_poison');
    const { logger, warnings } = recordingLogger();
    const sink = await openSink(schema, 1, 64, logger);
    const join = memberEvents.joined;
    // The first event takes the only connection; the next four wait for it and go together.
    const first = applyTo(sink, { id: 'p0', event: join('gp', 'u0'), receivedAt: 1000 });
    // 10,000 random characters: no btree index entry can hold them (about 2.7 kB at most), however compressed.
    const poison = join('gp', randomBytes(7500).toString('base64'));
    const batch = [
      join('gp', 'u1', 'NUL \u0000 is stored as U+FFFD'),
      poison,
      join('gp', 'u2'),
      { type: 'group.member.quit', groupID: 'gp', userID: 'u0' },
    ];
    const rest = batch.map((event, i) =>
      applyTo(sink, { id: `p${i + 1}`, event: event as CallbackEvent, receivedAt: 2000 + i }),
    );
    const results = await Promise.allSettled([first, ...rest]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const { reason } = results[2] as PromiseRejectedResult;
    expect(reason).toBeInstanceOf(EventRefusedError);
    expect(reason.message).toMatch(/SQLSTATE 54000.*index row/);
    expect(warnings).toEqual(['batch failed: applying its events one by one']);
    const members = await schema.rows('SELECT user_id, req_message FROM $schema.group_members ORDER BY user_id');
    expect(members).toEqual([
      { user_id: 'u1', req_message: 'NUL \uFFFD is stored as U+FFFD' },
      { user_id: 'u2', req_message: null },
    ]);
    const recorded = await schema.rows('SELECT event_id FROM $schema.applied_events ORDER BY event_id');
    expect(recorded.map((r) => r.event_id)).toEqual(['p0', 'p1', 'p3', 'p4']);
  });

  it('applies a duplicate within one batch once', async () => {
    const schema = await testSchema('pg_batch_dup');
    const sink = await openSink(schema, 1, 64, recordingLogger().logger);
    const quit = (userID: string): CallbackEvent => ({ type: 'group.member.quit', groupID: 'gd', userID });
    const first = applyTo(sink, { id: 'd0', event: quit('u0'), receivedAt: 1000 });
    const same = { id: 'd1', event: quit('u1'), receivedAt: 2000 };
    const outcomes = await Promise.all([first, applyTo(sink, same), applyTo(sink, { ...same, receivedAt: 3000 })]);
    expect(outcomes).toEqual<ProjectionOutcome[]>(['applied', 'applied', 'already-applied']);
    const removals = await schema.rows('SELECT user_id, removed_version FROM $schema.group_member_removals');
    expect(removals).toEqual([
      { user_id: 'u0', removed_version: '1000000' },
      { user_id: 'u1', removed_version: '2000000' },
    ]);
    expect(await schema.rows("SELECT 1 FROM $schema.applied_events WHERE event_id = 'd1'")).toHaveLength(1);
  });

  it('resolves an event only once its transaction has committed', async () => {
    const schema = await testSchema('pg_batch_commit');
    const sink = await openSink(schema, 2, 64, recordingLogger().logger);
    // A reconcile of the group holds its exclusive lock: the batch must wait inside its transaction.
    const blocker = await schema.pool.connect();
    await blocker.query('BEGIN');
    await blocker.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [groupLockKey('gc')]);
    let settled = false;
    const event: CallbackEvent = { type: 'group.member.quit', groupID: 'gc', userID: 'u1' };
    const pending = applyTo(sink, { id: 'c0', event, receivedAt: 1000 }).finally(() => {
      settled = true;
    });
    await vi.waitFor(async () => {
      const waiting = await schema.rows(
        `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objsubid = 1
            AND (classid::bigint << 32 | objid::bigint) = hashtextextended($1, 0)`,
        [groupLockKey('gc')],
      );
      expect(waiting).toHaveLength(1);
    });
    expect(settled).toBe(false);
    await blocker.query('COMMIT');
    blocker.release();
    expect(await pending).toBe('applied');

    // Many at once: when each resolves, another connection already sees its effect.
    const arrivals = randomArrivals(120, 11, 'seen', false).map((a) => ({ ...a, event: { ...event, userID: a.id } }));
    const seen = await Promise.all(
      arrivals.map((arrival) =>
        applyTo(sink, arrival).then(() =>
          schema.rows('SELECT 1 FROM $schema.group_member_removals WHERE user_id = $1', [arrival.id]),
        ),
      ),
    );
    expect(seen.map((rows) => rows.length)).toEqual(arrivals.map(() => 1));
  });

  it('never deadlocks two writers (two processes) writing the same groups, and converges', async () => {
    const arrivals = randomArrivals(600, 23, 'two');
    const schema = await testSchema('pg_batch_two');
    const { logger, warnings } = recordingLogger();
    const sinks = [await openSink(schema, 3, 16, logger), await openSink(schema, 3, 16, logger)];
    const outcomes = await Promise.all(
      arrivals.map((arrival, i) => applyTo(sinks[i % 2] as ProjectionWriter, arrival)),
    );
    expect(new Set(outcomes)).toEqual(new Set(['applied']));
    // A deadlock would fail a batch (and its events would then be applied one by one).
    expect(warnings).toEqual([]);
    expect(await snapshot(schema)).toBe(await appliedOneByOne(arrivals));
  });
});
