import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GroupInfo, GroupMember } from '../src/types.js';
import { type FakeGroup, type FakeState, fakeRoutes, type Reply } from './fake-openim-routes.js';

export type { FakeGroup } from './fake-openim-routes.js';

export interface FakeOpenImOptions {
  /** `3.7`: no `/auth/get_admin_token` (gin's plain 404), admin tokens come from `/auth/user_token`. */
  version?: '3.7' | '3.8';
  /** share.yml's secret. */
  secret?: string;
  /** OpenIM's admin user IDs. */
  admins?: string[];
}

/** One request the fake received. */
export interface FakeRequest {
  path: string;
  operationID: string | undefined;
  token: string | undefined;
  body: Record<string, unknown>;
}

/** A held answer: the answer is computed first, then held until `release()`. */
export interface Gate {
  /** Resolves when a request reached the gate. */
  reached: Promise<void>;
  release(): void;
}

/**
 * A fake OpenIM REST server on a real port, speaking OpenIM's envelope:
 * business errors on HTTP 200, `null` for empty lists, token errors,
 * 64-bit hashes written as bare JSON integers above 2^53, 429 with
 * Retry-After, and the v3.7 token call when `version` is `3.7`. Tests seed
 * its truth through `group()`, `setMember()`, `removeMember()`, `dismiss()`.
 */
export async function startFakeOpenIm(options: FakeOpenImOptions = {}) {
  const state: FakeState = {
    version: options.version ?? '3.8',
    secret: options.secret ?? 'openIM123',
    admins: new Set(options.admins ?? ['imAdmin']),
    groups: new Map(),
    tokens: new Set(),
    issued: 0,
  };
  const requests: FakeRequest[] = [];
  const rateLimited: Array<{ path: string | undefined; retryAfter: string }> = [];
  const gates = new Map<string, { arrived: () => void; wait: Promise<void> }>();
  const failures = new Map<string, number>();
  const routes = fakeRoutes(state);

  const server = createServer((req, res) => {
    void handle(req, res).catch((err) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      // OpenIM answers bad JSON with errCode 1001; the routes see an empty body.
    }
    const operationID = header(req, 'operationid');
    const token = header(req, 'token');
    requests.push({ path, operationID, token, body });
    const limit = rateLimited.findIndex((r) => r.path === undefined || r.path === path);
    if (limit >= 0) {
      const retryAfter = rateLimited.splice(limit, 1)[0]?.retryAfter ?? '1';
      res.writeHead(429, { 'retry-after': retryAfter, 'content-type': 'text/plain' }).end('Too Many Requests');
      return;
    }
    const forced = failures.get(path);
    let reply: Reply;
    if (forced !== undefined) {
      failures.delete(path);
      reply = { errCode: forced, errMsg: 'forced by the test' };
    } else reply = routes(path, body, operationID, token);
    // The answer is computed before the gate: what the caller gets is OpenIM's state when it read.
    const gate = gates.get(path);
    if (gate) {
      gates.delete(path);
      gate.arrived();
      await gate.wait;
    }
    if (reply === 'not found') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(envelopeText(reply));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed: Promise<void> | undefined;

  const ensureGroup = (groupID: string): FakeGroup => {
    const found = state.groups.get(groupID);
    if (!found) throw new Error(`fake OpenIM: no group ${groupID}`);
    return found;
  };

  return {
    url,
    secret: state.secret,
    requests,
    /** Creates or replaces a group with its members (roles and fields default to a plain member). */
    group(groupID: string, members: Array<Partial<GroupMember> & { userID: string }>, info: Partial<GroupInfo> = {}) {
      const group: FakeGroup = { info: fakeGroupInfo(groupID, info), members: new Map() };
      state.groups.set(groupID, group);
      for (const member of members) group.members.set(member.userID, fakeMember(groupID, member));
    },
    /** Adds a member or changes some of its fields. */
    setMember(groupID: string, member: Partial<GroupMember> & { userID: string }) {
      const group = ensureGroup(groupID);
      const previous = group.members.get(member.userID);
      group.members.set(member.userID, { ...(previous ?? fakeMember(groupID, member)), ...member });
    },
    removeMember(groupID: string, userID: string) {
      ensureGroup(groupID).members.delete(userID);
    },
    /** Marks the group dismissed (status 2): get_groups leaves it out, get_groups_info reports it. */
    dismiss(groupID: string) {
      ensureGroup(groupID).info.status = 2;
    },
    /** Forgets the group entirely (get_groups_info leaves it out). */
    deleteGroup(groupID: string) {
      state.groups.delete(groupID);
    },
    /** Pins a group's member-list hash (e.g. above 2^53); `undefined` computes it from the members again. */
    setHash(groupID: string, hash: string | undefined) {
      ensureGroup(groupID).hash = hash;
    },
    /** Invalidates every issued token: the next calls get errCode 1507. */
    revokeTokens() {
      state.tokens.clear();
    },
    /** Admin tokens issued so far. */
    tokensIssued: () => state.issued,
    /** The next request (to `path`, or any) gets HTTP 429 with this Retry-After. */
    rateLimitNext(retryAfter: string, path?: string) {
      rateLimited.push({ path, retryAfter });
    },
    /** The next request to `path` gets this errCode (on HTTP 200). */
    failNext(path: string, errCode: number) {
      failures.set(path, errCode);
    },
    /** Holds the answer to the next request to `path` until released. */
    hold(path: string): Gate {
      let arrived!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      const wait = new Promise<void>((resolve) => {
        release = resolve;
      });
      gates.set(path, { arrived, wait });
      return { reached, release };
    },
    /** Requests to a path so far. */
    calls: (path: string) => requests.filter((r) => r.path === path),
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const gate of gates.values()) gate.arrived();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

export type FakeOpenIm = Awaited<ReturnType<typeof startFakeOpenIm>>;

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Writes OpenIM's envelope; hashes (kept as strings in the fake) go out as bare 64-bit integers, as Go writes them. */
function envelopeText(reply: Exclude<Reply, 'not found'>): string {
  const envelope = { errCode: reply.errCode ?? 0, errMsg: reply.errMsg ?? '', errDlt: '', data: reply.data };
  if (reply.errCode) delete (envelope as { data?: unknown }).data;
  return JSON.stringify(envelope).replace(/"groupMemberListHash":"(\d+)"/g, '"groupMemberListHash":$1');
}

export function fakeMember(groupID: string, member: Partial<GroupMember> & { userID: string }): GroupMember {
  return {
    groupID,
    roleLevel: 20,
    joinTime: 1_719_800_000_000,
    nickname: '',
    faceURL: '',
    appMangerLevel: 0,
    joinSource: 2,
    operatorUserID: 'imAdmin',
    ex: '',
    muteEndTime: 0,
    inviterUserID: 'imAdmin',
    ...member,
  };
}

function fakeGroupInfo(groupID: string, info: Partial<GroupInfo>): GroupInfo {
  return {
    groupID,
    groupName: `group ${groupID}`,
    notification: '',
    introduction: '',
    faceURL: '',
    ownerUserID: '',
    createTime: 1_719_700_000_000,
    memberCount: 0,
    ex: '',
    status: 0,
    creatorUserID: '',
    groupType: 2,
    needVerification: 0,
    lookMemberInfo: 0,
    applyMemberFriend: 0,
    notificationUpdateTime: 0,
    notificationUserID: '',
    ...info,
  };
}
