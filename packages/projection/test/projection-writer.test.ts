import { readFileSync } from 'node:fs';
import { type CallbackEvent, createCatalog } from '@openim-sync/schema';
import { describe, expect, it } from 'vitest';
import { migrate } from '../src/index.js';
import { memberEvents } from './member-events.js';
import { useProjectionWriter } from './projection-writer-fixture.js';

const pg = useProjectionWriter('pg_sink');
const apply = pg.apply;

async function members(groupID: string) {
  return pg.schema.rows<{ user_id: string; role_level: number; nickname: string | null }>(
    'SELECT user_id, role_level, nickname FROM $schema.group_members WHERE group_id = $1 ORDER BY user_id',
    [groupID],
  );
}

const { joined: join, quit, role: roleSet } = memberEvents;
const created = (groupID: string, members: Array<[string, number]>): CallbackEvent => ({
  type: 'group.created',
  groupID,
  groupName: null,
  ownerUserID: members[0]?.[0] ?? null,
  creatorUserID: null,
  createTime: null,
  ex: null,
  members: members.map(([userID, roleLevel]) => ({ userID, roleLevel })),
});
const transferred = (groupID: string, oldOwnerUserID: string, newOwnerUserID: string): CallbackEvent => ({
  type: 'group.owner.transferred',
  groupID,
  oldOwnerUserID,
  newOwnerUserID,
});
const dismissed = (groupID: string, memberUserIDs: string[]): CallbackEvent => ({
  type: 'group.dismissed',
  groupID,
  ownerUserID: 'o',
  memberUserIDs,
});

/** The normalised event of a captured OpenIM body (packages/schema/fixtures), with `changes` applied. */
function fromFixture(command: string, changes: Record<string, unknown> = {}): CallbackEvent {
  const path = new URL(`../../../packages/schema/fixtures/${command}.json`, import.meta.url);
  const result = createCatalog().check(command, { ...JSON.parse(readFileSync(path, 'utf8')), ...changes });
  if (!result.ok) throw new Error(result.reason.message);
  return result.value.event;
}

describe('projection writer', () => {
  it('applies each event exactly once', async () => {
    expect(await apply(join('g-once', 'u1'), 1000, 'same-id')).toBe('applied');
    await apply(quit('g-once', 'u1'), 2000);
    // A retry of the join after the quit: same id, so nothing happens.
    expect(await apply(join('g-once', 'u1'), 3000, 'same-id')).toBe('already-applied');
    expect(await members('g-once')).toEqual([]);
    const recorded = await pg.schema.rows('SELECT event_id FROM $schema.applied_events WHERE event_id = $1', [
      'same-id',
    ]);
    expect(recorded).toHaveLength(1);
  });

  it('does not let a join that arrives after a newer quit bring the member back', async () => {
    await apply(quit('g-order', 'u1'), 2000);
    await apply(join('g-order', 'u1'), 1000);
    expect(await members('g-order')).toEqual([]);
    // A join newer than the quit does bring them back.
    await apply(join('g-order', 'u1'), 3000);
    expect(await members('g-order')).toEqual([{ user_id: 'u1', role_level: 20, nickname: null }]);
  });

  it('keeps a member whose quit is older than their rejoin, whatever the arrival order', async () => {
    await apply(join('g-rejoin', 'u1'), 1000);
    await apply(join('g-rejoin', 'u1'), 3000);
    await apply(quit('g-rejoin', 'u1'), 2000);
    expect((await members('g-rejoin')).map((m) => m.user_id)).toEqual(['u1']);
  });

  it('creates a group with its members, one row each', async () => {
    await apply(
      {
        type: 'group.created',
        groupID: 'g-create',
        groupName: 'n',
        ownerUserID: 'o',
        creatorUserID: 'o',
        createTime: 500,
        ex: null,
        members: [
          { userID: 'o', roleLevel: 100 },
          { userID: 'a', roleLevel: 60 },
          { userID: 'm', roleLevel: 20 },
        ],
      },
      1000,
    );
    expect(await members('g-create')).toEqual([
      { user_id: 'a', role_level: 60, nickname: null },
      { user_id: 'm', role_level: 20, nickname: null },
      { user_id: 'o', role_level: 100, nickname: null },
    ]);
    const [row] = await pg.schema.rows<{ joined_at: Date }>(
      "SELECT joined_at FROM $schema.group_members WHERE group_id = 'g-create' AND user_id = 'o'",
    );
    expect(row?.joined_at.getTime()).toBe(500);
  });

  it('kicks several members and transfers ownership', async () => {
    for (const [i, u] of ['o', 'x', 'y', 'z'].entries()) await apply(join('g-kick', u), 1000 + i);
    await apply({ type: 'group.members.kicked', groupID: 'g-kick', userIDs: ['x', 'y'], reason: null }, 2000);
    await apply(transferred('g-kick', 'o', 'z'), 3000);
    // z was an ordinary member: the old owner takes its level, 20.
    expect(await members('g-kick')).toEqual([
      { user_id: 'o', role_level: 20, nickname: null },
      { user_id: 'z', role_level: 100, nickname: null },
    ]);
  });

  it('gives the old owner the level the new owner held: an admin who becomes owner leaves it at 60', async () => {
    await apply(
      created('g-swap', [
        ['o', 100],
        ['a', 60],
        ['m', 20],
      ]),
      1000,
    );
    await apply(transferred('g-swap', 'o', 'a'), 2000);
    expect(await members('g-swap')).toEqual([
      { user_id: 'a', role_level: 100, nickname: null },
      { user_id: 'm', role_level: 20, nickname: null },
      { user_id: 'o', role_level: 60, nickname: null },
    ]);
  });

  it('leaves the real owner at 100 when an IM admin transfers from someone else, as OpenIM does', async () => {
    // OpenIM checks neither that oldOwnerUserID is the owner nor that it holds 100 for an IM admin.
    await apply(
      created('g-two-owners', [
        ['o', 100],
        ['a', 60],
        ['m', 20],
      ]),
      1000,
    );
    await apply(transferred('g-two-owners', 'a', 'm'), 2000);
    expect(await members('g-two-owners')).toEqual([
      { user_id: 'a', role_level: 20, nickname: null },
      { user_id: 'm', role_level: 100, nickname: null },
      { user_id: 'o', role_level: 100, nickname: null },
    ]);
  });

  it('takes a new owner the projection never heard of (invited: no callback) for an ordinary member', async () => {
    await apply(created('g-unknown-owner', [['o', 100]]), 1000);
    await apply(transferred('g-unknown-owner', 'o', 'n'), 2000);
    expect(await members('g-unknown-owner')).toEqual([
      { user_id: 'n', role_level: 100, nickname: null },
      { user_id: 'o', role_level: 20, nickname: null },
    ]);
  });

  it('leaves out the IM admin that OpenIM appends to initMemberList without giving it a row', async () => {
    const initMemberList = [
      { userID: 'o', roleLevel: 100 },
      { userID: 'a', roleLevel: 60 },
      { userID: 'm', roleLevel: 20 },
      { userID: 'a', roleLevel: 20 },
      { userID: 'o', roleLevel: 20 },
      { userID: 'imAdmin', roleLevel: 20 },
    ];
    const event = fromFixture('callbackAfterCreateGroupCommand', {
      groupID: 'g-appended',
      ownerUserID: 'o',
      creatorUserID: 'o',
      memberCount: 4,
      initMemberList,
    });
    await apply(event, 1000);
    expect(await members('g-appended')).toEqual([
      { user_id: 'a', role_level: 60, nickname: null },
      { user_id: 'm', role_level: 20, nickname: null },
      { user_id: 'o', role_level: 100, nickname: null },
    ]);
  });

  it('keeps the newest role and nickname when member updates arrive out of order', async () => {
    const set = (roleLevel: number | null, nickname: string | null): CallbackEvent => ({
      type: 'group.member.info.set',
      groupID: 'g-info',
      userID: 'u1',
      nickname,
      faceURL: null,
      roleLevel,
      ex: null,
    });
    await apply(join('g-info', 'u1'), 1000);
    await apply(set(60, 'new'), 3000);
    await apply(set(20, 'old'), 2000);
    expect(await members('g-info')).toEqual([{ user_id: 'u1', role_level: 60, nickname: 'new' }]);
    // A null field means "unchanged".
    await apply(set(null, null), 4000);
    expect(await members('g-info')).toEqual([{ user_id: 'u1', role_level: 60, nickname: 'new' }]);
  });

  it('removes a dismissed group and ignores older events for it', async () => {
    await apply(join('g-dismiss', 'u1'), 1000);
    await apply(join('g-dismiss', 'u2'), 1001);
    await apply({ type: 'group.dismissed', groupID: 'g-dismiss', ownerUserID: 'u1', memberUserIDs: [] }, 2000);
    await apply(join('g-dismiss', 'u3'), 1500);
    expect(await members('g-dismiss')).toEqual([]);
  });

  it('converges under concurrent writers to the same member', async () => {
    // Joins and quits of one user applied concurrently; the newest (a quit) must win.
    const events = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? join('g-race', 'u1') : quit('g-race', 'u1')));
    await Promise.all(events.map((event, i) => apply(event, 10_000 + i)));
    expect(await members('g-race')).toEqual([]);
  });

  it('migrates idempotently, also from many workers at once', async () => {
    await Promise.all([migrate(pg.schema.pool, pg.schema.name), migrate(pg.schema.pool, pg.schema.name)]);
    const versions = await pg.schema.rows('SELECT version FROM $schema.schema_migrations ORDER BY version');
    expect(versions).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }, { version: 5 }]);
  });
});

describe('projection writer, any order of one group’s events', () => {
  const setInfo = (groupID: string, userID: string, nickname: string, roleLevel: number): CallbackEvent => ({
    type: 'group.member.info.set',
    groupID,
    userID,
    nickname,
    faceURL: null,
    roleLevel,
    ex: null,
  });

  /** Every order of `events` (with their receive times) must give the in-order result. */
  async function expectOrderIndependent(label: string, events: Array<[CallbackEvent, number]>) {
    const results = new Set<string>();
    for (const order of permutations(events.map((_, i) => i))) {
      const groupID = `${label}-${order.join('')}`;
      for (const i of order) {
        const [event, at] = events[i] as [CallbackEvent, number];
        await apply({ ...event, groupID } as CallbackEvent, at);
      }
      const rows = await pg.schema.rows(
        `SELECT user_id, role_level, nickname, join_source, extract(epoch from joined_at) * 1000 AS joined_ms
           FROM $schema.group_members WHERE group_id = $1 ORDER BY user_id`,
        [groupID],
      );
      results.add(JSON.stringify(rows));
    }
    expect([...results]).toHaveLength(1);
    return JSON.parse([...results][0] as string);
  }

  it('forgets the old membership’s fields when a rejoin is applied before the quit', async () => {
    const rows = await expectOrderIndependent('g-rejoin-fields', [
      [join('g', 'u1'), 1000],
      [setInfo('g', 'u1', 'Ann', 60), 2000],
      [quit('g', 'u1'), 3000],
      [{ ...join('g', 'u1'), joinSource: 2 } as CallbackEvent, 4000],
    ]);
    expect(rows).toEqual([{ user_id: 'u1', role_level: 20, nickname: null, join_source: 2, joined_ms: '4000.000000' }]);
  });

  it('forgets the old membership’s fields when a rejoin is applied before the dismissal', async () => {
    const dismissed: CallbackEvent = { type: 'group.dismissed', groupID: 'g', ownerUserID: null, memberUserIDs: [] };
    const rows = await expectOrderIndependent('g-dismiss-fields', [
      [join('g', 'u1'), 1000],
      [setInfo('g', 'u1', 'Ann', 60), 2000],
      [dismissed, 3000],
      [{ ...join('g', 'u1'), joinSource: 2 } as CallbackEvent, 4000],
    ]);
    expect(rows).toEqual([{ user_id: 'u1', role_level: 20, nickname: null, join_source: 2, joined_ms: '4000.000000' }]);
  });

  it('gives old owners the level their new owner held, along a chain of transfers', async () => {
    // o makes a admin and hands over to a (o: 60); a hands over to b (a: 20); b hands back to o,
    // who was at 60 (b: 60). Each old owner's level comes from another member's history.
    const rows = await expectOrderIndependent('g-transfers', [
      [
        created('g', [
          ['o', 100],
          ['a', 20],
          ['b', 20],
        ]),
        1000,
      ],
      [roleSet('g', 'a', 60), 2000],
      [transferred('g', 'o', 'a'), 3000],
      [transferred('g', 'a', 'b'), 4000],
      [transferred('g', 'b', 'o'), 5000],
    ]);
    expect(rows.map((r: { user_id: string; role_level: number }) => `${r.user_id}:${r.role_level}`)).toEqual([
      'a:20',
      'b:60',
      'o:100',
    ]);
  });

  it('gives the old owner the new owner’s level when the new owner’s join and promotion arrive late', async () => {
    const rows = await expectOrderIndependent('g-late-owner', [
      [created('g', [['o', 100]]), 1000],
      [join('g', 'n'), 2000],
      [roleSet('g', 'n', 60), 2500],
      [transferred('g', 'o', 'n'), 3000],
    ]);
    expect(rows).toEqual([
      { user_id: 'n', role_level: 100, nickname: null, join_source: 3, joined_ms: '2000.000000' },
      { user_id: 'o', role_level: 60, nickname: null, join_source: null, joined_ms: '1000.000000' },
    ]);
  });

  // OpenIM reports a dismissal twice: with every member (rows kept), then, from its push
  // service, with none (rows deleted). The group is memberless from the first.
  it('leaves the group memberless after both dismissal reports, in either order', async () => {
    const rows = await expectOrderIndependent('g-dismiss-twice', [
      [
        created('g', [
          ['o', 100],
          ['a', 60],
          ['m', 20],
        ]),
        1000,
      ],
      [dismissed('g', ['o', 'a', 'm']), 2000],
      [dismissed('g', []), 3000],
    ]);
    expect(rows).toEqual([]);
  });

  it('lets the second dismissal report remove what arrived between the two', async () => {
    // Between the reports OpenIM still holds the rows: a member's info can change, and a
    // join succeeds once a mute or unmute has overwritten the dismissed status.
    const rows = await expectOrderIndependent('g-dismiss-between', [
      [
        created('g', [
          ['o', 100],
          ['a', 60],
        ]),
        1000,
      ],
      [dismissed('g', ['o', 'a']), 2000],
      [setInfo('g', 'a', 'Ann', 60), 2500],
      [join('g', 'x'), 2600],
      [dismissed('g', []), 3000],
    ]);
    expect(rows).toEqual([]);
  });

  it('adds a member who joins after both dismissal reports, in any order', async () => {
    // OpenIM sends a join callback only after the row is written, and JoinGroup refuses a group
    // at status 2: a later join means the group was revived (mute and unmute overwrite the status).
    const rows = await expectOrderIndependent('g-dismiss-rejoin', [
      [
        created('g', [
          ['o', 100],
          ['a', 60],
        ]),
        1000,
      ],
      [dismissed('g', ['o', 'a']), 2000],
      [dismissed('g', []), 3000],
      [join('g', 'y'), 4000],
    ]);
    expect(rows).toEqual([{ user_id: 'y', role_level: 20, nickname: null, join_source: 3, joined_ms: '4000.000000' }]);
  });

  it('orders a join, a quit and a rejoin received in the same millisecond', async () => {
    const rows = await expectOrderIndependent('g-same-ms', [
      [join('g', 'u1'), 5000],
      [quit('g', 'u1'), 5000.001],
      [join('g', 'u1'), 5000.002],
    ]);
    expect(rows.map((r: { user_id: string }) => r.user_id)).toEqual(['u1']);
  });
});

function* permutations(items: number[]): Generator<number[]> {
  if (items.length <= 1) {
    yield items;
    return;
  }
  for (const [i, item] of items.entries()) {
    for (const rest of permutations(items.filter((_, j) => j !== i))) yield [item, ...rest];
  }
}

describe('projection writer, users', () => {
  const presence = (online: boolean, seq: number | null, platformID = 1): CallbackEvent => ({
    type: 'user.presence',
    userID: 'pu1',
    online,
    platformID,
    platform: 'IOS',
    seq,
    isAppBackground: online ? false : null,
    connID: `c${seq}`,
  });
  const presenceRows = () =>
    pg.schema.rows<{ platform_id: number; online: boolean; seq: string }>(
      "SELECT platform_id, online, seq FROM $schema.user_presence WHERE user_id = 'pu1' ORDER BY platform_id",
    );

  it("keeps the newest presence report per platform by OpenIM's clock, whatever the arrival order", async () => {
    await apply(presence(false, 3000), 1000);
    await apply(presence(true, 2000), 2000); // older report, arriving later
    await apply(presence(true, 1000), 3000);
    expect(await presenceRows()).toEqual([{ platform_id: 1, online: false, seq: '3000' }]);
    await apply(presence(true, 4000, 2), 4000); // another platform is its own row
    await apply({ type: 'user.kicked.off', userID: 'pu1', platformID: 2, platform: 'Android', seq: 5000 }, 5000);
    expect(await presenceRows()).toEqual([
      { platform_id: 1, online: false, seq: '3000' },
      { platform_id: 2, online: false, seq: '5000' },
    ]);
  });

  it('keeps the newest value of each profile field', async () => {
    await apply(
      {
        type: 'user.registered',
        users: [{ userID: 'pr1', nickname: 'Ann', faceURL: 'f1', ex: null, createTime: 100 }],
      },
      1000,
    );
    await apply({ type: 'user.info.updated', userID: 'pr1', nickname: 'Anna', faceURL: null, ex: null }, 3000);
    await apply({ type: 'user.info.updated', userID: 'pr1', nickname: 'Old', faceURL: null, ex: '{}' }, 2000);
    const rows = await pg.schema.rows(
      "SELECT nickname, face_url, ex, extract(epoch from registered_at) * 1000 AS registered_ms FROM $schema.user_profiles WHERE user_id = 'pr1'",
    );
    // The late update is older than the nickname it would overwrite, but the newest word on `ex`.
    expect(rows).toEqual([{ nickname: 'Anna', face_url: 'f1', ex: '{}', registered_ms: '100.000000' }]);
  });

  it('never clears ex from callbackAfterUpdateUserInfoExCommand: OpenIM leaves it null', async () => {
    const profile = () =>
      pg.schema.rows("SELECT nickname, face_url, ex FROM $schema.user_profiles WHERE user_id = '6960562805'");
    await apply(
      {
        type: 'user.registered',
        users: [{ userID: '6960562805', nickname: 'Ann', faceURL: null, ex: '{"vip":1}', createTime: null }],
      },
      1000,
    );
    // The captured body: nickName and ex null, faceURL set.
    await apply(fromFixture('callbackAfterUpdateUserInfoExCommand'), 2000);
    expect(await profile()).toEqual([
      { nickname: 'Ann', face_url: 'https://cdn.example.com/face/6960562805.png?v=2&s=128', ex: '{"vip":1}' },
    ]);
  });

  it('reaches the same profile whatever order its updates arrive in', async () => {
    const events: Array<[CallbackEvent, number]> = [
      [{ type: 'user.info.updated', userID: 'pr2', nickname: 'B', faceURL: null, ex: null }, 3000],
      [{ type: 'user.info.updated', userID: 'pr2', nickname: 'A', faceURL: 'f-a', ex: null }, 2000],
      [{ type: 'user.info.updated', userID: 'pr2', nickname: null, faceURL: 'f-c', ex: 'x' }, 4000],
      [
        {
          type: 'user.registered',
          users: [{ userID: 'pr2', nickname: 'R', faceURL: null, ex: null, createTime: null }],
        },
        1000,
      ],
    ];
    const states = new Set<string>();
    for (const order of [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [1, 3, 0, 2],
      [2, 0, 3, 1],
    ]) {
      await pg.schema.rows('DELETE FROM $schema.user_profiles');
      for (const i of order) await apply(...(events[i] as [CallbackEvent, number]));
      const rows = await pg.schema.rows(
        "SELECT nickname, face_url, ex, extract(epoch from registered_at) * 1000 AS registered_ms FROM $schema.user_profiles WHERE user_id = 'pr2'",
      );
      states.add(JSON.stringify(rows));
    }
    expect([...states]).toEqual([
      JSON.stringify([{ nickname: 'B', face_url: 'f-c', ex: 'x', registered_ms: '1000.000000' }]),
    ]);
  });
});
