import { createAdminTokens } from './admin-token.js';
import { ErrCode, isTokenError, OpenImApiError, OpenImAuthError } from './errors.js';
import { int64String } from './json.js';
import { createTransport } from './transport.js';
import type { GroupAbstractInfo, GroupInfo, GroupMember } from './types.js';

export interface OpenImClientOptions {
  /** OpenIM's API, e.g. `http://openim-server:10002`. */
  baseUrl: string;
  /** OpenIM's `share.yml` secret. Never logged, never put into an error. */
  secret: string;
  /** One of OpenIM's admin user IDs (`imAdmin` by default in OpenIM). */
  adminUserID: string;
  /** Per HTTP attempt. */
  timeoutMs: number;
  /** For tests; the global fetch by default. */
  fetch?: typeof fetch;
  /** Members or groups per page (default 500). */
  pageSize?: number;
  /** IDs per call of the calls that take a list (default 500). */
  chunkSize?: number;
  /** Times an HTTP 429 is waited out before the call fails (default 3). */
  maxRateLimitRetries?: number;
  /** Longest wait one `Retry-After` may impose (default 30 s). */
  maxRetryAfterMs?: number;
  /** For tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** OpenIM's REST API, as the reconciler uses it. Every method throws the errors of `./errors.js`. */
export interface OpenImClient {
  /** Every member's user ID, in one call. */
  getGroupMemberUserIDs(groupID: string): Promise<string[]>;
  /** The named members that exist (chunked); none asked, none returned. */
  getGroupMembersInfo(groupID: string, userIDs: readonly string[]): Promise<GroupMember[]>;
  /** Every member, page by page. */
  getGroupMemberList(groupID: string): Promise<GroupMember[]>;
  /** The named groups that exist, dismissed ones included (status 2); unknown IDs are left out. */
  getGroupsInfo(groupIDs: readonly string[]): Promise<GroupInfo[]>;
  /** Every group OpenIM has, page by page, **except dismissed ones**. */
  listGroups(): Promise<GroupInfo[]>;
  /**
   * Member count and list hash of the named groups. OpenIM fails a whole
   * call (1201) when any group is missing or empty, so such a call is
   * split in halves until the groups that fail are alone; those are left out.
   */
  getGroupAbstractInfo(groupIDs: readonly string[]): Promise<GroupAbstractInfo[]>;
  /** Any other call, with the token, envelope and error handling of the above; resolves with `data`. */
  call(path: string, body: unknown): Promise<unknown>;
}

/** Creates a client; nothing is sent until the first call (which fetches the admin token). */
export function createOpenImClient(options: OpenImClientOptions): OpenImClient {
  const { pageSize = 500, chunkSize = 500 } = options;
  const post = createTransport({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    fetch: options.fetch ?? globalThis.fetch,
    maxRateLimitRetries: options.maxRateLimitRetries ?? 3,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 30_000,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  });
  const tokens = createAdminTokens({ post, secret: options.secret, adminUserID: options.adminUserID });

  async function call(path: string, body: unknown): Promise<unknown> {
    for (let refreshed = false; ; refreshed = true) {
      const token = await tokens.get();
      const result = await post(path, body, { token });
      const { operationID } = result;
      if (!result.ok) {
        throw new OpenImApiError({ code: result.status, httpStatus: result.status, path, operationID });
      }
      const { errCode, errMsg, errDlt, data } = result.envelope;
      if (errCode === 0) return data;
      const cause = new OpenImApiError({ code: errCode, errMsg, errDlt, path, operationID });
      if (isTokenError(errCode)) {
        // Another admin-token request for the same user (on OpenIM main) or a restart invalidated ours.
        tokens.invalidate(token);
        if (!refreshed) continue;
        throw new OpenImAuthError(`OpenIM rejects even a fresh admin token (errCode ${errCode})`, cause, { cause });
      }
      if (errCode === ErrCode.noPermission) {
        const message = `OpenIM denied ${path} (errCode 1002): is "${options.adminUserID}" one of OpenIM's admin user IDs?`;
        throw new OpenImAuthError(message, cause, { cause });
      }
      throw cause;
    }
  }

  async function pages<T>(path: string, request: (page: number) => object, pick: (data: Data) => T[]) {
    const all: T[] = [];
    for (let page = 1; ; page++) {
      const data = asData(await call(path, request(page)));
      const batch = pick(data);
      all.push(...batch);
      const total = typeof data.total === 'number' ? data.total : 0;
      if (batch.length < pageSize || page * pageSize >= total) return all;
    }
  }

  async function chunked<T>(ids: readonly string[], read: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
    const unique = [...new Set(ids)];
    const all: T[] = [];
    for (let start = 0; start < unique.length; start += chunkSize) {
      all.push(...(await read(unique.slice(start, start + chunkSize))));
    }
    return all;
  }

  const pagination = (page: number) => ({ pageNumber: page, showNumber: pageSize });

  async function abstractInfo(groupIDs: string[]): Promise<GroupAbstractInfo[]> {
    try {
      const data = asData(await call('/group/get_group_abstract_info', { groupIDs }));
      return list(data.groupAbstractInfos).flatMap((raw) => toAbstract(raw) ?? []);
    } catch (err) {
      if (!(err instanceof OpenImApiError && err.code === ErrCode.groupNotFound)) throw err;
      if (groupIDs.length === 1) return [];
      // Halve the list until the failing groups are alone: a few calls for one bad group among 500.
      const half = Math.ceil(groupIDs.length / 2);
      return [...(await abstractInfo(groupIDs.slice(0, half))), ...(await abstractInfo(groupIDs.slice(half)))];
    }
  }

  return {
    call,
    async getGroupMemberUserIDs(groupID) {
      const data = asData(await call('/group/get_group_member_user_id', { groupID }));
      return list(data.userIDs).filter((id): id is string => typeof id === 'string');
    },
    getGroupMembersInfo: (groupID, userIDs) =>
      chunked(userIDs, async (chunk) =>
        list(asData(await call('/group/get_group_members_info', { groupID, userIDs: chunk })).members).map(toMember),
      ),
    getGroupMemberList: (groupID) =>
      pages(
        '/group/get_group_member_list',
        (page) => ({ groupID, pagination: pagination(page), filter: 0, keyword: '' }),
        (data) => list(data.members).map(toMember),
      ).then((members) => uniqueBy(members, (m) => m.userID)),
    getGroupsInfo: (groupIDs) =>
      chunked(groupIDs, async (chunk) =>
        list(asData(await call('/group/get_groups_info', { groupIDs: chunk })).groupInfos).map(toGroupInfo),
      ),
    listGroups: () =>
      pages(
        '/group/get_groups',
        (page) => ({ pagination: pagination(page), groupName: '' }),
        (data) => list(data.groups).map((g) => toGroupInfo((g as { groupInfo?: unknown }).groupInfo)),
      ).then((groups) => uniqueBy(groups, (g) => g.groupID)),
    getGroupAbstractInfo: (groupIDs) => chunked(groupIDs, abstractInfo),
  };
}

type Data = Record<string, unknown>;

function asData(data: unknown): Data {
  return typeof data === 'object' && data !== null ? (data as Data) : {};
}

/** OpenIM sends empty lists as `null`. */
function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}

const str = (value: unknown) => (typeof value === 'string' ? value : '');
const num = (value: unknown) => (typeof value === 'number' ? value : 0);

function toMember(raw: unknown): GroupMember {
  const m = asData(raw);
  return {
    groupID: str(m.groupID),
    userID: str(m.userID),
    roleLevel: num(m.roleLevel),
    joinTime: num(m.joinTime),
    nickname: str(m.nickname),
    faceURL: str(m.faceURL),
    appMangerLevel: num(m.appMangerLevel),
    joinSource: num(m.joinSource),
    operatorUserID: str(m.operatorUserID),
    ex: str(m.ex),
    muteEndTime: num(m.muteEndTime),
    inviterUserID: str(m.inviterUserID),
  };
}

function toGroupInfo(raw: unknown): GroupInfo {
  const g = asData(raw);
  return {
    groupID: str(g.groupID),
    groupName: str(g.groupName),
    notification: str(g.notification),
    introduction: str(g.introduction),
    faceURL: str(g.faceURL),
    ownerUserID: str(g.ownerUserID),
    createTime: num(g.createTime),
    memberCount: num(g.memberCount),
    ex: str(g.ex),
    status: num(g.status),
    creatorUserID: str(g.creatorUserID),
    groupType: num(g.groupType),
    needVerification: num(g.needVerification),
    lookMemberInfo: num(g.lookMemberInfo),
    applyMemberFriend: num(g.applyMemberFriend),
    notificationUpdateTime: num(g.notificationUpdateTime),
    notificationUserID: str(g.notificationUserID),
  };
}

function toAbstract(raw: unknown): GroupAbstractInfo | undefined {
  const a = asData(raw);
  const hash = int64String(a.groupMemberListHash);
  if (typeof a.groupID !== 'string' || hash === undefined) return undefined;
  return { groupID: a.groupID, memberCount: num(a.groupMemberNumber), memberListHash: hash };
}
