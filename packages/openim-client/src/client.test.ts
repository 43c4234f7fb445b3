import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeOpenIm, type FakeOpenImOptions, startFakeOpenIm } from '../test/fake-openim.js';
import { createOpenImClient, type OpenImClientOptions } from './client.js';
import { OpenImApiError, OpenImAuthError, OpenImUnreachableError } from './errors.js';
import { retryAfterMs } from './transport.js';

const fakes: FakeOpenIm[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function setup(fakeOptions: FakeOpenImOptions = {}, clientOptions: Partial<OpenImClientOptions> = {}) {
  const fake = await startFakeOpenIm(fakeOptions);
  fakes.push(fake);
  const sleeps: number[] = [];
  const client = createOpenImClient({
    baseUrl: fake.url,
    secret: fake.secret,
    adminUserID: 'imAdmin',
    timeoutMs: 5000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...clientOptions,
  });
  return { fake, client, sleeps };
}

const members = (...ids: string[]) => ids.map((userID) => ({ userID }));

describe('the admin token', () => {
  it('comes from get_admin_token once, and every call carries it and a non-empty operationID', async () => {
    const { fake, client } = await setup();
    fake.group('g1', members('u1', 'u2'));
    expect(await client.getGroupMemberUserIDs('g1')).toEqual(['u1', 'u2']);
    expect(await client.getGroupsInfo(['g1'])).toMatchObject([{ groupID: 'g1', memberCount: 2 }]);
    expect(fake.tokensIssued()).toBe(1);
    expect(fake.calls('/auth/get_admin_token')[0]?.body).toEqual({ secret: 'openIM123', userID: 'imAdmin' });
    const operationIDs = fake.requests.map((r) => r.operationID);
    expect(operationIDs.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(operationIDs).size).toBe(operationIDs.length);
    expect(fake.requests.slice(1).every((r) => r.token?.startsWith('tok-'))).toBe(true);
  });

  it('falls back to user_token with platformID 10 on a v3.7 server, and remembers that', async () => {
    const { fake, client } = await setup({ version: '3.7' });
    fake.group('g1', members('u1'));
    expect(await client.getGroupMemberUserIDs('g1')).toEqual(['u1']);
    fake.revokeTokens();
    expect(await client.getGroupMemberUserIDs('g1')).toEqual(['u1']);
    expect(fake.calls('/auth/get_admin_token')).toHaveLength(1);
    expect(fake.calls('/auth/user_token').map((r) => r.body)).toEqual([
      { secret: 'openIM123', platformID: 10, userID: 'imAdmin' },
      { secret: 'openIM123', platformID: 10, userID: 'imAdmin' },
    ]);
  });

  it('is fetched again after a token error (1501–1507) and the call retried once', async () => {
    const { fake, client } = await setup();
    fake.group('g1', members('u1'));
    await client.getGroupMemberUserIDs('g1');
    fake.revokeTokens();
    expect(await client.getGroupMemberUserIDs('g1')).toEqual(['u1']);
    fake.failNext('/group/get_group_member_user_id', 1501);
    expect(await client.getGroupMemberUserIDs('g1')).toEqual(['u1']);
    expect(fake.tokensIssued()).toBe(3);
  });

  it('refused: a wrong secret, a user who is no admin, a token rejected after a refresh', async () => {
    const wrongSecret = await setup({}, { secret: 'not-the-secret' });
    wrongSecret.fake.group('g1', members('u1'));
    const err = await wrongSecret.client.getGroupMemberUserIDs('g1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenImAuthError);
    expect(err).toMatchObject({ name: 'OpenImAuthError', code: 1002, path: '/auth/get_admin_token' });
    expect((err as Error).message).not.toContain('not-the-secret');
    expect((err as Error).cause).toBeInstanceOf(OpenImApiError);

    const notAdmin = await setup({}, { adminUserID: 'u1' });
    await expect(notAdmin.client.listGroups()).rejects.toMatchObject({ name: 'OpenImAuthError', code: 1002 });

    // A fetch that makes OpenIM reject every token, however fresh.
    const { fake } = await setup();
    const rejecting = createOpenImClient({
      baseUrl: fake.url,
      secret: fake.secret,
      adminUserID: 'imAdmin',
      timeoutMs: 5000,
      fetch: (input, init) => {
        const headers = { ...(init?.headers as Record<string, string>) };
        if (headers.token) headers.token = 'garbage';
        return fetch(input, { ...init, headers });
      },
    });
    await expect(rejecting.listGroups()).rejects.toMatchObject({ name: 'OpenImAuthError', code: 1507 });
    expect(fake.tokensIssued()).toBe(2);
  });
});

describe('the envelope', () => {
  it('turns business errors sent with HTTP 200 into OpenImApiError', async () => {
    const { client } = await setup();
    const err = await client.getGroupMemberList('missing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenImApiError);
    expect(err).toMatchObject({
      name: 'OpenImApiError',
      code: 1201,
      errMsg: 'GroupIDNotFoundError',
      path: '/group/get_group_member_list',
      httpStatus: 200,
    });
  });

  it('reads null lists as empty', async () => {
    const { fake, client } = await setup();
    fake.group('empty', []);
    expect(await client.getGroupMemberUserIDs('empty')).toEqual([]);
    expect(await client.getGroupMemberList('empty')).toEqual([]);
    expect(await client.getGroupMembersInfo('empty', ['nobody'])).toEqual([]);
    expect(await client.getGroupsInfo(['unknown'])).toEqual([]);
    expect(await client.getGroupMembersInfo('empty', [])).toEqual([]);
    expect(fake.calls('/group/get_group_members_info')).toHaveLength(1);
  });

  it('keeps 64-bit member-list hashes exact', async () => {
    const { fake, client } = await setup();
    fake.group('g1', members('u1'));
    fake.group('g2', members('u1'));
    fake.setHash('g1', '18446744073709551615');
    fake.setHash('g2', '18446744073709551614');
    expect(await client.getGroupAbstractInfo(['g1', 'g2'])).toEqual([
      { groupID: 'g1', memberCount: 1, memberListHash: '18446744073709551615' },
      { groupID: 'g2', memberCount: 1, memberListHash: '18446744073709551614' },
    ]);
  });
});

describe('the reads', () => {
  it('pages through member lists and groups, and leaves dismissed groups out of the group list', async () => {
    const { fake, client } = await setup({}, { pageSize: 2 });
    fake.group('g1', [{ userID: 'owner', roleLevel: 100 }, ...members('a', 'b', 'c', 'd')]);
    const list = await client.getGroupMemberList('g1');
    expect(list.map((m) => m.userID).sort()).toEqual(['a', 'b', 'c', 'd', 'owner']);
    expect(list[0]).toMatchObject({ groupID: 'g1', userID: 'owner', roleLevel: 100, joinSource: 2 });
    expect(fake.calls('/group/get_group_member_list').map((r) => r.body.pagination)).toEqual([
      { pageNumber: 1, showNumber: 2 },
      { pageNumber: 2, showNumber: 2 },
      { pageNumber: 3, showNumber: 2 },
    ]);
    for (const id of ['g2', 'g3', 'g4']) fake.group(id, members('u1'));
    fake.dismiss('g3');
    expect((await client.listGroups()).map((g) => g.groupID).sort()).toEqual(['g1', 'g2', 'g4']);
    expect(await client.getGroupsInfo(['g3'])).toMatchObject([{ groupID: 'g3', status: 2 }]);
  });

  it('chunks calls that take lists of IDs', async () => {
    const { fake, client } = await setup({}, { chunkSize: 2 });
    fake.group('g1', members('a', 'b', 'c', 'd', 'e'));
    const found = await client.getGroupMembersInfo('g1', ['a', 'b', 'c', 'd', 'e', 'a']);
    expect(found.map((m) => m.userID)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(fake.calls('/group/get_group_members_info').map((r) => r.body.userIDs)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e'],
    ]);
  });

  it('splits an abstract-info call OpenIM fails whole (1201) until the failing groups are alone', async () => {
    const { fake, client } = await setup();
    fake.group('g1', members('u1'));
    fake.group('empty', []);
    fake.group('g2', members('u1', 'u2'));
    const infos = await client.getGroupAbstractInfo(['g1', 'empty', 'missing', 'g2']);
    expect(infos.map((i) => [i.groupID, i.memberCount])).toEqual([
      ['g1', 1],
      ['g2', 2],
    ]);
    // [g1 empty missing g2] → [g1 empty] → [g1] [empty] → [missing g2] → [missing] [g2]
    expect(fake.calls('/group/get_group_abstract_info')).toHaveLength(7);
  });
});

describe('rate limits, timeouts and outages', () => {
  it('waits out 429 as Retry-After asks, a bounded number of times', async () => {
    const { fake, client, sleeps } = await setup({}, { maxRateLimitRetries: 2 });
    fake.group('g1', members('u1'));
    fake.rateLimitNext('2', '/group/get_group_member_user_id');
    expect(await client.getGroupMemberUserIDs('g1')).toEqual(['u1']);
    expect(sleeps).toEqual([2000]);
    for (let i = 0; i < 3; i++) fake.rateLimitNext('1');
    const err = await client.getGroupMemberUserIDs('g1').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'OpenImApiError', code: 429, httpStatus: 429 });
    expect(sleeps).toEqual([2000, 1000, 1000]);
  });

  it('gives up on a call after timeoutMs with OpenImUnreachableError', async () => {
    const { fake, client } = await setup({}, { timeoutMs: 300 });
    fake.group('g1', members('u1'));
    await client.getGroupMemberUserIDs('g1');
    const gate = fake.hold('/group/get_group_member_user_id');
    const started = Date.now();
    const err = await client.getGroupMemberUserIDs('g1').catch((e: unknown) => e);
    gate.release();
    expect(err).toBeInstanceOf(OpenImUnreachableError);
    expect(err).toMatchObject({ name: 'OpenImUnreachableError', code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports a server that is not there as unreachable', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const client = createOpenImClient({
      baseUrl: `http://127.0.0.1:${port}`,
      secret: 's',
      adminUserID: 'a',
      timeoutMs: 2000,
    });
    await expect(client.listGroups()).rejects.toMatchObject({ name: 'OpenImUnreachableError', code: 'ECONNREFUSED' });
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000);
    expect(retryAfterMs(null)).toBe(1000);
    expect(retryAfterMs('soon')).toBe(1000);
  });
});
