// A group of 20,000 members through the built processes: OpenIM's create callback (as Go encodes
// it, 10-digit user IDs as OpenIM's own tools make them) to the ingress under its default
// MAX_BODY_BYTES, then a kick of all but the owner, each applied by a worker's postgres sink while
// joins to other groups keep coming. Nothing may fail: not the big events, not the joins beside them.
import { goJson } from '@openim-sync/schema';
import { type Stack, startStack, uniqueName } from '@openim-sync/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const MEMBERS = 20_000;
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const GROUP = '2818437296';
const userIDs = Array.from({ length: MEMBERS }, (_, i) => `${7_000_000_000 + i}`);
const [owner = '', ...others] = userIDs;
const admins = others.slice(0, 10);

/** callbackAfterCreateGroupCommand as OpenIM sends it: owner and admins listed again at 20 after everyone. */
function createBody(): Buffer {
  const initMemberList = [
    { userID: owner, roleLevel: 100 },
    ...admins.map((userID) => ({ userID, roleLevel: 60 })),
    ...others.slice(admins.length).map((userID) => ({ userID, roleLevel: 20 })),
    ...[...admins, owner].map((userID) => ({ userID, roleLevel: 20 })),
  ];
  return goJson({
    callbackCommand: 'callbackAfterCreateGroupCommand',
    groupID: GROUP,
    groupName: 'Everyone <all>',
    notification: '',
    introduction: '',
    faceURL: '',
    ownerUserID: owner,
    createTime: 1713351839118,
    memberCount: MEMBERS,
    ex: '',
    status: 0,
    creatorUserID: owner,
    groupType: 2,
    needVerification: 0,
    lookMemberInfo: 0,
    applyMemberFriend: 0,
    notificationUpdateTime: 0,
    notificationUserID: '',
    initMemberList,
  });
}

const kickBody = () =>
  goJson({ callbackCommand: 'callbackAfterKickGroupCommand', groupID: GROUP, kickedUserIDs: others, reason: '' });

const joinBody = (groupID: string, userID: string) =>
  goJson({
    callbackCommand: 'callbackAfterJoinGroupCommand',
    operationID: '',
    groupID,
    reqMessage: '',
    joinSource: 3,
    inviterUserID: userID,
    userID,
    ex: '',
  });

describe('a group of 20,000 members, end to end', () => {
  let stack: Stack;
  let ingressUrl: string;

  beforeAll(async () => {
    // MAX_BODY_BYTES left at its default on purpose.
    stack = await startStack({ label: 'e2e_large', workerEnv: { SINKS: 'postgres' } });
    const [ingress] = await Promise.all([stack.startIngress(), stack.startWorker()]);
    ingressUrl = ingress.url;
  }, 30_000);

  afterAll(() => stack?.close());

  async function post(command: string, body: Buffer) {
    const response = await fetch(`${ingressUrl}/callback/${command}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', operationID: uniqueName('op') },
      body,
    });
    expect(response.status, `${command}: ${await response.clone().text()}`).toBe(200);
    expect(((await response.json()) as { errCode: number }).errCode).toBe(0);
  }

  const count = async (sql: string, params: unknown[] = []) =>
    Number((await stack.schema.rows<{ n: string }>(sql, params))[0]?.n);
  const members = (groupID: string) =>
    count('SELECT count(*) AS n FROM $schema.group_members WHERE group_id = $1', [groupID]);

  /** Sends `body`, with joins to other groups before, beside and after it; resolves once all applied. */
  async function sendAmongJoins(command: string, body: Buffer, tag: string, done: () => Promise<boolean>) {
    const joins = Array.from({ length: 60 }, (_, i) => joinBody(`${tag}-${i % 6}`, `${tag}-u${i}`));
    const before = (await count('SELECT count(*) AS n FROM $schema.applied_events')) as number;
    const started = performance.now();
    await Promise.all([
      post(command, body),
      (async () => {
        for (const join of joins) await post('callbackAfterJoinGroupCommand', join);
      })(),
    ]);
    await vi.waitFor(
      async () => {
        expect(await done()).toBe(true);
        expect(await count('SELECT count(*) AS n FROM $schema.applied_events')).toBe(before + joins.length + 1);
      },
      { timeout: 120_000, interval: 100 },
    );
    const ms = performance.now() - started;
    expect(await stack.queue.getJobCounts('failed', 'wait', 'active', 'delayed', 'prioritized')).toEqual({
      failed: 0,
      wait: 0,
      active: 0,
      delayed: 0,
      prioritized: 0,
    });
    for (let g = 0; g < 6; g++) expect(await members(`${tag}-${g}`)).toBe(10);
    return ms;
  }

  it('acknowledges the create under the default MAX_BODY_BYTES and applies it, then the kick', {
    timeout: 300_000,
  }, async () => {
    const create = createBody();
    const kick = kickBody();
    // What OpenIM would send for 20,000 ten-digit IDs (about 0.78 MB): fits in the default 1 MiB.
    expect(create.length).toBeLessThan(DEFAULT_MAX_BODY_BYTES);

    const createMs = await sendAmongJoins('callbackAfterCreateGroupCommand', create, 'g-beside-create', async () => {
      return (await members(GROUP)) === MEMBERS;
    });
    const kickMs = await sendAmongJoins('callbackAfterKickGroupCommand', kick, 'g-beside-kick', async () => {
      return (await members(GROUP)) === 1;
    });
    const [row] = await stack.schema.rows<{ user_id: string; role_level: number }>(
      'SELECT user_id, role_level FROM $schema.group_members WHERE group_id = $1',
      [GROUP],
    );
    expect(row).toEqual({ user_id: owner, role_level: 100 });

    const codes = await Promise.all(stack.processes().map((p) => p.stop('SIGTERM')));
    expect(codes, 'exit codes of ingress and worker after SIGTERM').toEqual([0, 0]);
    // For docs/RELIABILITY.md.
    console.info(
      `20,000-member create: ${create.length} bytes, sent to applied in ${Math.round(createMs)} ms; ` +
        `kick of ${others.length}: ${kick.length} bytes, ${Math.round(kickMs)} ms (60 joins to 6 other groups beside each)`,
    );
  });
});
