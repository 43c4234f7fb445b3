import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReconcileFixture, events, type ReconcileFixture } from './reconcile-fixture.js';

let f: ReconcileFixture;
/** "Ten minutes ago": when the callbacks of the seeded history arrived, and OpenIM's join times. */
const T0 = Date.now() - 600_000;
const sorted = (ids: string[]) => [...ids].sort();

beforeAll(async () => {
  f = await createReconcileFixture('reconcile');
});

afterAll(async () => {
  await f?.close();
});

describe('reconciling the projection with OpenIM', () => {
  beforeAll(async () => {
    const { fake } = f;
    // OpenIM's truth...
    fake.group('g-drift', [
      { userID: 'o', roleLevel: 100, joinTime: T0 },
      { userID: 'a', joinTime: T0 },
      { userID: 'b', roleLevel: 60, joinTime: T0 }, // promoted: the callback was dropped
      { userID: 'c', joinTime: T0 + 2000, joinSource: 3 }, // joined: the callback was dropped
      { userID: 'inv', joinTime: T0 + 3000, joinSource: 2 }, // invited: OpenIM never calls back
    ]);
    fake.group('g-dismissed', [
      { userID: 'x', roleLevel: 100, joinTime: T0 },
      { userID: 'y', joinTime: T0 },
    ]);
    fake.dismiss('g-dismissed'); // the dismissal callback was dropped
    fake.group('g-sync', [
      { userID: 's1', roleLevel: 100, joinTime: T0 },
      { userID: 's2', joinTime: T0 + 5000, joinSource: 3 },
    ]);
    fake.setHash('g-sync', '18446744073709551615');
    // ...and what the callbacks that did arrive made of it.
    await f.callback(
      events.created(
        'g-drift',
        [
          ['o', 100],
          ['a', 20],
          ['b', 20],
          ['q', 20],
        ],
        T0,
      ),
      T0,
    );
    // q quit in OpenIM; that callback was dropped too.
    await f.callback(
      events.created(
        'g-dismissed',
        [
          ['x', 100],
          ['y', 20],
        ],
        T0,
      ),
      T0,
    );
    await f.callback(events.created('g-gone', [['z', 100]], T0), T0); // OpenIM no longer knows g-gone
    await f.callback(events.created('g-sync', [['s1', 100]], T0), T0);
    await f.callback(events.joined('g-sync', 's2'), T0 + 5000);
  });

  it('repairs dropped joins and quits, invitations, a dismissed group and a changed role', async () => {
    const plan = await f.reconciler.planAll();
    expect(sorted(plan.groupIDs)).toEqual(['g-dismissed', 'g-drift', 'g-gone', 'g-sync']);
    const results = Object.fromEntries(
      await Promise.all(plan.groupIDs.map(async (id) => [id, await f.reconciler.reconcileGroup(id)] as const)),
    );

    expect(results['g-drift']).toMatchObject({ outcome: 'repaired', removed: ['q'], dismissed: false });
    expect(sorted(results['g-drift']?.added ?? [])).toEqual(['c', 'inv']);
    expect(results['g-drift']?.updated).toEqual([{ userID: 'b', changes: [{ field: 'roleLevel', from: 20, to: 60 }] }]);
    expect(results['g-dismissed']).toMatchObject({ outcome: 'repaired', dismissed: true, removed: ['x', 'y'] });
    expect(results['g-gone']).toMatchObject({ outcome: 'repaired', dismissed: true, removed: ['z'] });
    expect(results['g-sync']).toMatchObject({ outcome: 'in-sync', added: [], removed: [], updated: [] });

    expect(await f.members('g-drift')).toEqual(['a:20', 'b:60', 'c:20', 'inv:20', 'o:100']);
    expect(await f.members('g-dismissed')).toEqual([]);
    expect(await f.members('g-gone')).toEqual([]);
    expect(await f.members('g-sync')).toEqual(['s1:100', 's2:20']);
    const [invited] = await f.schema.rows<{ joined_at: Date; join_source: number }>(
      "SELECT joined_at, join_source FROM $schema.group_members WHERE group_id = 'g-drift' AND user_id = 'inv'",
    );
    expect(invited).toEqual({ joined_at: new Date(T0 + 3000), join_source: 2 });
    const dismissals = await f.schema.rows('SELECT group_id FROM $schema.group_dismissals ORDER BY group_id');
    expect(dismissals).toEqual([{ group_id: 'g-dismissed' }, { group_id: 'g-gone' }]);
    const applied = await f.schema.rows<{ event_id: string }>(
      "SELECT event_id FROM $schema.applied_events WHERE command = 'reconcile' ORDER BY event_id",
    );
    expect(applied.map((r) => r.event_id.replace(/\d+$/, '<readAt>'))).toEqual([
      'reconcile-g-dismissed-<readAt>',
      'reconcile-g-drift-<readAt>',
      'reconcile-g-gone-<readAt>',
      'reconcile-g-sync-<readAt>', // OpenIM filled in join sources the create callback lacks: a write, not drift
    ]);
    const state = await f.schema.rows(
      'SELECT group_id, member_count, member_list_hash FROM $schema.group_reconcile_state',
    );
    expect(state).toContainEqual({ group_id: 'g-sync', member_count: 2, member_list_hash: '18446744073709551615' });
  });

  it('changes nothing the second time, and skips groups whose count and hash are unchanged', async () => {
    const rows = await f.rows();
    const applied = await f.schema.rows('SELECT event_id FROM $schema.applied_events');
    const plan = await f.reconciler.planAll();
    expect(plan).toEqual({ groupIDs: [], skipped: ['g-drift', 'g-sync'].filter((id) => plan.skipped.includes(id)) });
    expect(sorted(plan.skipped)).toEqual(['g-drift', 'g-sync']);
    for (const id of ['g-drift', 'g-sync', 'g-dismissed', 'g-gone']) {
      expect(await f.reconciler.reconcileGroup(id)).toMatchObject({
        outcome: 'in-sync',
        added: [],
        removed: [],
        updated: [],
        dismissed: false,
      });
    }
    expect(await f.rows()).toEqual(rows);
    expect(await f.schema.rows('SELECT event_id FROM $schema.applied_events')).toEqual(applied);
  });

  it('looks again when OpenIM changed, and a dry run reports without writing', async () => {
    f.fake.setMember('g-drift', { userID: 'a', nickname: 'Alice' });
    const plan = await f.reconciler.planAll();
    expect(plan.groupIDs).toEqual(['g-drift']);
    const before = await f.rows();
    const dry = await f.reconciler.reconcileGroup('g-drift', { dryRun: true });
    expect(dry).toMatchObject({
      outcome: 'repaired',
      updated: [{ userID: 'a', changes: [{ field: 'nickname', from: null, to: 'Alice' }] }],
    });
    expect(await f.rows()).toEqual(before);
    expect((await f.reconciler.planAll()).groupIDs).toEqual(['g-drift']);
    expect(await f.reconciler.reconcileGroup('g-drift')).toMatchObject({ outcome: 'repaired' });
    const [alice] = await f.schema.rows("SELECT nickname FROM $schema.group_members WHERE user_id = 'a'");
    expect(alice).toEqual({ nickname: 'Alice' });
  });
});

describe('a callback during a reconcile', () => {
  it('is neither lost nor overridden', async () => {
    const { fake } = f;
    fake.group('g-live', [
      { userID: 'o', roleLevel: 100, joinTime: T0 },
      { userID: 'm0', joinTime: T0 },
      { userID: 'm1', joinTime: T0 },
      { userID: 'm2', joinTime: T0 },
    ]);
    await f.callback(
      events.created(
        'g-live',
        [
          ['o', 100],
          ['m0', 20],
          ['m1', 20],
          ['m2', 20],
        ],
        T0,
      ),
      T0,
    );

    // The reconcile reads OpenIM; its member details are computed, then held before they are sent.
    const gate = fake.hold('/group/get_group_members_info');
    const reconciling = f.reconciler.reconcileGroup('g-live');
    await gate.reached;
    // Meanwhile in OpenIM: m1 quits, m3 joins, m2 is promoted, m0 quits; the ingress receives each callback.
    fake.removeMember('g-live', 'm1');
    fake.setMember('g-live', { userID: 'm3', joinTime: Date.now(), joinSource: 3 });
    fake.setMember('g-live', { userID: 'm2', roleLevel: 60 });
    fake.removeMember('g-live', 'm0');
    await f.callback(events.quit('g-live', 'm1'));
    await f.callback(events.joined('g-live', 'm3'));
    await f.callback(events.role('g-live', 'm2', 60));
    const m0QuitReceivedAt = Date.now(); // received now, applied only after the reconcile
    gate.release();

    const result = await reconciling;
    // OpenIM's (older) answer still had m0 and m1, a plain m2, no m3: none of it overrides the callbacks.
    expect(result).toMatchObject({ outcome: 'in-sync', added: [], removed: [], updated: [] });
    expect(await f.members('g-live')).toEqual(['m0:20', 'm2:60', 'm3:20', 'o:100']);
    await f.callback(events.quit('g-live', 'm0'), m0QuitReceivedAt);
    expect(await f.members('g-live')).toEqual(['m2:60', 'm3:20', 'o:100']);
    // And the next reconcile finds the projection equal to OpenIM.
    expect(await f.reconciler.reconcileGroup('g-live')).toMatchObject({ outcome: 'in-sync' });
  });

  it('makes an older callback applied late lose where OpenIM’s list already reflects it', async () => {
    f.fake.group('g-late', [
      { userID: 'o', roleLevel: 100, joinTime: T0 },
      { userID: 'k', joinTime: T0 },
    ]);
    await f.callback(events.created('g-late', [['o', 100]], T0), T0);
    // k quit and joined again before the reconcile; only the quit's callback made it, and it is still queued.
    const quitReceivedAt = Date.now() - 1000;
    expect(await f.reconciler.reconcileGroup('g-late')).toMatchObject({ added: ['k'] });
    await f.callback(events.quit('g-late', 'k'), quitReceivedAt);
    expect(await f.members('g-late')).toEqual(['k:20', 'o:100']);

    // r was made admin and then member again; the first callback is still queued, the second was dropped.
    f.fake.setMember('g-late', { userID: 'r', joinTime: T0, joinSource: 3 });
    await f.callback(events.joined('g-late', 'r'), T0);
    const promotedReceivedAt = Date.now() - 1000;
    expect(await f.reconciler.reconcileGroup('g-late')).toMatchObject({ outcome: 'in-sync' });
    await f.callback(events.role('g-late', 'r', 60), promotedReceivedAt);
    expect(await f.members('g-late')).toEqual(['k:20', 'o:100', 'r:20']);
  });
});
