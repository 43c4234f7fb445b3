import { randomBytes } from 'node:crypto';
import type { CallbackEvent } from '@openim-sync/schema';
import { describe, expect, it } from 'vitest';
import { EventRefusedError } from '../src/index.js';
import { memberEvents } from './member-events.js';
import { useProjectionWriter } from './projection-writer-fixture.js';

// Text OpenIM passes through from clients: NUL characters anywhere, ids of any length.
const pg = useProjectionWriter('pg_text', 2);
const apply = pg.apply;

const join = memberEvents.joined;
const setInfo = (groupID: string, userID: string, nickname: string, ex: string): CallbackEvent => ({
  type: 'group.member.info.set',
  groupID,
  userID,
  nickname,
  faceURL: null,
  roleLevel: 60,
  ex,
});

/** Random, incompressible: base64 of random bytes. */
const randomId = (length: number) =>
  randomBytes(Math.ceil((length * 3) / 4))
    .toString('base64')
    .slice(0, length);

describe('projection writer, NUL characters', () => {
  it('stores each NUL as U+FFFD, in ids too, and finds the row again by the same raw id', async () => {
    const group = 'g\u0000nul';
    const user = 'u\u0000nul';
    await apply(join(group, user), 1000);
    await apply(setInfo(group, user, 'Ann\u0000', '{"a":"\u0000"}'), 2000);
    await apply(
      {
        type: 'user.registered',
        users: [{ userID: user, nickname: 'N\u0000', faceURL: 'https://x/\u0000.png', ex: '\u0000', createTime: null }],
      },
      3000,
    );
    expect(
      await pg.schema.rows('SELECT group_id, user_id, role_level, nickname, ex FROM $schema.group_members'),
    ).toEqual([
      { group_id: 'g\uFFFDnul', user_id: 'u\uFFFDnul', role_level: 60, nickname: 'Ann\uFFFD', ex: '{"a":"\uFFFD"}' },
    ]);
    expect(await pg.schema.rows('SELECT user_id, nickname, face_url, ex FROM $schema.user_profiles')).toEqual([
      { user_id: 'u\uFFFDnul', nickname: 'N\uFFFD', face_url: 'https://x/\uFFFD.png', ex: '\uFFFD' },
    ]);
    const [recorded] = await pg.schema.rows<{ group_id: string }>(
      "SELECT group_id FROM $schema.applied_events WHERE command = 'test' ORDER BY received_at LIMIT 1",
    );
    expect(recorded?.group_id).toBe('g\uFFFDnul');
    // The same raw ids reach the same row: the quit removes it.
    await apply({ type: 'group.member.quit', groupID: group, userID: user }, 4000);
    expect(await pg.schema.rows('SELECT user_id FROM $schema.group_members')).toEqual([]);
  });
});

describe('projection writer, long ids', () => {
  it('applies ids of 600 random characters', async () => {
    const group = randomId(600);
    const [owner, member] = [randomId(600), randomId(600)];
    await apply(
      {
        type: 'group.created',
        groupID: group,
        groupName: null,
        ownerUserID: owner,
        creatorUserID: owner,
        createTime: null,
        ex: null,
        members: [
          { userID: owner, roleLevel: 100 },
          { userID: member, roleLevel: 20 },
        ],
      },
      1000,
    );
    await apply(setInfo(group, member, 'long', '{}'), 2000);
    await apply(
      { type: 'group.owner.transferred', groupID: group, oldOwnerUserID: owner, newOwnerUserID: member },
      3000,
    );
    await apply({ type: 'group.member.quit', groupID: group, userID: owner }, 4000);
    await apply(
      {
        type: 'user.presence',
        userID: member,
        online: true,
        platformID: 1,
        platform: 'IOS',
        seq: 1,
        isAppBackground: false,
        connID: randomId(600),
      },
      5000,
    );
    const rows = await pg.schema.rows('SELECT user_id, role_level FROM $schema.group_members WHERE group_id = $1', [
      group,
    ]);
    expect(rows).toEqual([{ user_id: member, role_level: 100 }]);
    expect(await pg.schema.rows('SELECT 1 FROM $schema.user_presence WHERE user_id = $1', [member])).toHaveLength(1);
  });

  it('fails an id no index can hold at once, for good, with the reason', async () => {
    const error = await apply(join('g-huge', randomId(10_000)), 1000).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(EventRefusedError);
    expect((error as Error).message).toMatch(/^refused for good \(SQLSTATE 54000, program limit exceeded\): index row/);
    expect((error as Error).cause).toMatchObject({ code: '54000' });
    expect(await pg.schema.rows("SELECT 1 FROM $schema.applied_events WHERE group_id = 'g-huge'")).toEqual([]);
  });
});
