import { createHash, randomUUID } from 'node:crypto';
import type { GroupInfo, GroupMember } from '../src/types.js';

export interface FakeGroup {
  info: GroupInfo;
  members: Map<string, GroupMember>;
  /** A pinned member-list hash (decimal); computed from the members when unset. */
  hash?: string | undefined;
}

export interface FakeState {
  version: '3.7' | '3.8';
  secret: string;
  admins: Set<string>;
  groups: Map<string, FakeGroup>;
  tokens: Set<string>;
  issued: number;
}

/** An answer of the fake: an envelope's parts, or gin's plain 404 for an unknown route. */
export type Reply = { errCode?: number; errMsg?: string; data?: unknown } | 'not found';

const ok = (data: unknown): Reply => ({ errCode: 0, data });
const fail = (errCode: number, errMsg: string): Reply => ({ errCode, errMsg });

type Body = Record<string, unknown>;

/** OpenIM's routes as the fake serves them, over `state`. */
export function fakeRoutes(state: FakeState) {
  function issueToken(body: Body, platformRequired: boolean): Reply {
    if (body.secret !== state.secret) return fail(1002, 'NoPermissionError');
    if (typeof body.userID !== 'string' || !state.admins.has(body.userID)) return fail(1002, 'NoPermissionError');
    if (platformRequired && body.platformID !== 10) return fail(1001, 'ArgsError');
    const token = `tok-${randomUUID()}`;
    state.tokens.add(token);
    state.issued++;
    return ok({ token, expireTimeSeconds: 90 * 24 * 3600 });
  }

  const live = (groupID: unknown) => {
    const group = typeof groupID === 'string' ? state.groups.get(groupID) : undefined;
    return group && group.info.status !== 2 ? group : undefined;
  };
  const info = (group: FakeGroup): GroupInfo => ({ ...group.info, memberCount: group.members.size });
  const sortedMembers = (group: FakeGroup) =>
    [...group.members.values()].sort((a, b) => b.roleLevel - a.roleLevel || a.joinTime - b.joinTime);
  const page = <T>(items: T[], body: Body) => {
    const { pageNumber = 1, showNumber = 20 } = (body.pagination ?? {}) as { pageNumber?: number; showNumber?: number };
    const slice = items.slice((pageNumber - 1) * showNumber, pageNumber * showNumber);
    return slice.length > 0 ? slice : null;
  };
  const strings = (value: unknown) => (Array.isArray(value) ? value.filter((v) => typeof v === 'string') : []);

  const group: Record<string, (body: Body) => Reply> = {
    '/group/get_group_member_user_id': (body) => {
      const found = typeof body.groupID === 'string' ? state.groups.get(body.groupID) : undefined;
      if (!found) return fail(1201, 'GroupIDNotFoundError');
      const ids = [...found.members.keys()];
      return ok({ userIDs: ids.length > 0 ? ids : null });
    },
    '/group/get_group_members_info': (body) => {
      const ids = strings(body.userIDs);
      if (ids.length === 0) return fail(1001, 'ArgsError: userIDs empty');
      const found = typeof body.groupID === 'string' ? state.groups.get(body.groupID) : undefined;
      const members = found ? ids.flatMap((id) => found.members.get(id) ?? []) : [];
      return ok({ members: members.length > 0 ? members : null });
    },
    '/group/get_group_member_list': (body) => {
      const found = typeof body.groupID === 'string' ? state.groups.get(body.groupID) : undefined;
      if (!found) return fail(1201, 'GroupIDNotFoundError');
      const members = sortedMembers(found);
      return ok({ total: members.length, members: page(members, body) });
    },
    '/group/get_groups_info': (body) => {
      const infos = strings(body.groupIDs).flatMap((id) => {
        const found = state.groups.get(id);
        return found ? [info(found)] : [];
      });
      return ok({ groupInfos: infos.length > 0 ? infos : null });
    },
    '/group/get_groups': (body) => {
      const groups = [...state.groups.values()]
        .filter((g) => g.info.status !== 2)
        .sort((a, b) => b.info.createTime - a.info.createTime)
        .map((g) => ({ groupInfo: info(g), groupOwnerUserID: g.info.ownerUserID, groupOwnerUserName: '' }));
      return ok({ total: groups.length, groups: page(groups, body) });
    },
    '/group/get_group_abstract_info': (body) => {
      const ids = strings(body.groupIDs);
      const groups = ids.map((id) => live(id));
      // OpenIM fails the whole call when any group is missing or has no members.
      if (ids.length === 0 || groups.some((g) => !g || g.members.size === 0)) return fail(1201, 'GroupIDNotFoundError');
      const infos = (groups as FakeGroup[]).map((g) => ({
        groupID: g.info.groupID,
        groupMemberNumber: g.members.size,
        groupMemberListHash: g.hash ?? memberListHash(g),
      }));
      return ok({ groupAbstractInfos: infos });
    },
  };

  return function route(path: string, body: Body, operationID: string | undefined, token: string | undefined): Reply {
    if (path === '/auth/get_admin_token') return state.version === '3.7' ? 'not found' : issueToken(body, false);
    if (path === '/auth/user_token') return issueToken(body, true);
    const handler = group[path];
    if (!handler) return 'not found';
    if (!operationID) return fail(1001, 'ArgsError: header must have operationID');
    if (!token) return fail(1501, 'TokenMalformedError');
    if (!state.tokens.has(token)) return fail(1507, 'TokenNotExistError');
    return handler(body);
  };
}

/** A 64-bit hash over every member's fields, as OpenIM computes one: any change to any member changes it. */
export function memberListHash(group: FakeGroup): string {
  const text = JSON.stringify(sortedByUser(group));
  return BigInt(`0x${createHash('sha256').update(text).digest('hex').slice(0, 16)}`).toString();
}

function sortedByUser(group: FakeGroup) {
  return [...group.members.values()].sort((a, b) => a.userID.localeCompare(b.userID));
}
