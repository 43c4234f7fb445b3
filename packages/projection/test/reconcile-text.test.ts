import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReconcileFixture, type ReconcileFixture } from './reconcile-fixture.js';

// OpenIM's REST answers carry client text as sent (NUL included); the projection stores each
// NUL as U+FFFD. The reconciler compares in the stored form: no false drift.
let f: ReconcileFixture;
const T0 = Date.now() - 600_000;
const GROUP = 'g\u0000nul';

beforeAll(async () => {
  f = await createReconcileFixture('reconcile_text');
});

afterAll(async () => {
  await f?.close();
});

describe('reconciling text with NUL characters', () => {
  beforeAll(async () => {
    f.fake.group(GROUP, [
      { userID: 'o\u0000', roleLevel: 100, joinTime: T0, joinSource: 2 },
      { userID: 'm', joinTime: T0, joinSource: 2, nickname: 'Ann\u0000', ex: '{"k":"\u0000"}', faceURL: 'f\u0000' },
    ]);
    await f.callback(
      {
        type: 'group.created',
        groupID: GROUP,
        groupName: null,
        ownerUserID: 'o\u0000',
        creatorUserID: 'o\u0000',
        createTime: T0,
        ex: null,
        members: [
          { userID: 'o\u0000', roleLevel: 100 },
          { userID: 'm', roleLevel: 20 },
        ],
      },
      T0,
    );
    await f.callback(
      {
        type: 'group.member.info.set',
        groupID: GROUP,
        userID: 'm',
        nickname: 'Ann\u0000',
        faceURL: 'f\u0000',
        roleLevel: null,
        ex: '{"k":"\u0000"}',
      },
      T0 + 1000,
    );
  });

  it('sees no drift, and does not take the group for an unlisted (dismissed) one', async () => {
    const plan = await f.reconciler.planAll({ skipUnchanged: false });
    expect(plan.groupIDs).toEqual([GROUP]);
    expect(await f.reconciler.reconcileGroup(GROUP)).toMatchObject({
      outcome: 'in-sync',
      added: [],
      removed: [],
      updated: [],
      dismissed: false,
    });
    expect(await f.members(GROUP.replace('\u0000', '\uFFFD'))).toEqual(['m:20', 'o\uFFFD:100']);
    // Its state was saved under the stored id: the next scheduled plan skips it.
    expect(await f.reconciler.planAll()).toEqual({ groupIDs: [], skipped: [GROUP] });
  });
});
