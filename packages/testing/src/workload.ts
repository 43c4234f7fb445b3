import { findCommand, goJson } from '@openim-sync/schema';
import { applyOp, type GroupState, type MembershipOp } from './membership-model.js';
import { uniqueName } from './names.js';

/** One callback as OpenIM sends it, and what it means. */
export interface Callback {
  groupID: string;
  operationID: string;
  /** Path and query, after the ingress's origin. */
  path: string;
  /** The catalog's canonical name of the command the URL names (the job name). */
  command: string;
  /** The exact body bytes. */
  body: Buffer;
  op: MembershipOp;
}

export interface WorkloadOptions {
  seed: number;
  runTag: string;
  groups: number;
  eventsPerGroup: number;
  /** Every n-th group ends with a dismissal. */
  dismissEvery: number;
  /** Share of callbacks sent under the v3.6 spelling of their command, where the catalog knows one. */
  aliasShare: number;
}

/** A known set of callbacks: one ordered list per group. */
export interface Workload {
  seed: number;
  groups: Callback[][];
  /** Every callback, each group in send order. */
  all: Callback[];
}

/**
 * About `groups × (eventsPerGroup + 1)` callbacks of every membership command
 * (a third of the groups end dismissed; some callbacks use v3.6's command
 * spellings). A new seed each run; pass the one a failed run printed
 * to replay it.
 */
export function createWorkload(
  groups: number,
  eventsPerGroup: number,
  seed = Math.floor(Math.random() * 2 ** 31),
): Workload {
  const lists = generateWorkload({
    seed,
    runTag: uniqueName('op'),
    groups,
    eventsPerGroup,
    dismissEvery: 3,
    aliasShare: 0.2,
  });
  return { seed, groups: lists, all: lists.flat() };
}

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with its seed. */
function createRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const shuffle = <T>(items: readonly T[]): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  };
  return { chance: (p: number) => next() < p, int, pick, shuffle };
}
type Random = ReturnType<typeof createRandom>;

const USERS = Array.from({ length: 24 }, (_, i) => String(6_960_562_800 + i));
const NICKNAMES = ['Ann & Co', '<b>Bob</b>', 'Zoë 🚲', '李雷', 'O\'Brien "Ob"', 'x > y', 'plain'];

/**
 * Per group, a plausible history of membership callbacks: a creation, then
 * joins, quits, kicks, member-info changes and owner transfers chosen from
 * the group's current members, and for some groups a final dismissal. The
 * outer array holds one ordered list per group.
 */
export function generateWorkload(options: WorkloadOptions): Callback[][] {
  const random = createRandom(options.seed);
  let sequence = 0;
  return Array.from({ length: options.groups }, (_, g) => {
    const groupID = String(3_027_412_800 + g);
    const group: GroupState = new Map();
    // The projection keeps a leaver's row fields when the rejoin is applied
    // before the removal (see the report on projection.ts): users who ever had
    // a nickname never rejoin, so the expected table does not depend on it.
    const nicknamed = new Set<string>();
    const ops: MembershipOp[] = [createOp(random, groupID)];
    applyOp(group, ops[0] as MembershipOp);
    for (let i = 0; i < options.eventsPerGroup; i++) {
      const op = nextOp(random, groupID, group, nicknamed);
      applyOp(group, op);
      ops.push(op);
    }
    if (g % options.dismissEvery === 0) ops.push(...dismissOps(groupID, group));
    return ops.map((op) => toCallback(random, op, `${options.runTag}-${++sequence}`, options.aliasShare));
  });
}

function createOp(random: Random, groupID: string): MembershipOp {
  const [owner, ...rest] = random.shuffle(USERS) as [string, ...string[]];
  const admins = rest.slice(0, 1 + random.int(2));
  const members = rest.slice(admins.length, admins.length + 2 + random.int(4));
  const owners = [{ userID: owner, roleLevel: 100 }];
  const adminEntries = admins.map((userID) => ({ userID, roleLevel: 60 }));
  // As OpenIM builds it (group/callback.go webhookAfterCreateGroup): the owner at 100, the admins at 60, then
  // every user at 20 (members, admins, owner).
  const everyone = [...members, ...admins, owner].map((userID) => ({ userID, roleLevel: 20 }));
  const initMemberList = [...owners, ...adminEntries, ...everyone];
  return { kind: 'create', groupID, ownerUserID: owner, initMemberList };
}

function nextOp(random: Random, groupID: string, group: GroupState, nicknamed: Set<string>): MembershipOp {
  const owner = [...group].find(([, m]) => m.roleLevel === 100)?.[0] as string;
  const others = [...group.keys()].filter((u) => u !== owner);
  const outsiders = USERS.filter((u) => !group.has(u) && !nicknamed.has(u));
  for (;;) {
    const roll = random.int(100);
    if (roll < 30 && outsiders.length > 0) return { kind: 'join', groupID, userID: random.pick(outsiders) };
    if (roll < 42 && others.length > 0) return { kind: 'quit', groupID, userID: random.pick(others) };
    if (roll < 52 && others.length > 0) {
      return { kind: 'kick', groupID, userIDs: random.shuffle(others).slice(0, 1 + random.int(2)) };
    }
    if (roll < 60 && others.length > 0) {
      return { kind: 'transfer', groupID, oldOwnerUserID: owner, newOwnerUserID: random.pick(others) };
    }
    if (roll >= 60) {
      const userID = random.pick([...group.keys()]);
      const changeRole = userID !== owner && random.chance(0.6);
      const changeNickname = !changeRole || random.chance(0.4);
      const roleLevel = changeRole ? (group.get(userID)?.roleLevel === 60 ? 20 : 60) : null;
      const nickname = changeNickname ? random.pick(NICKNAMES) : null;
      if (nickname !== null) nicknamed.add(userID);
      return { kind: 'setInfo', groupID, userID, roleLevel, nickname };
    }
  }
}

/**
 * OpenIM reports a dismissal twice: at once with every member (the rows are kept), then, when its push
 * service has handled the notification and deleted the rows, with an empty member list.
 */
function dismissOps(groupID: string, group: GroupState): MembershipOp[] {
  const ownerUserID = [...group].find(([, m]) => m.roleLevel === 100)?.[0] as string;
  return [
    { kind: 'dismiss', groupID, ownerUserID, memberUserIDs: [...group.keys()] },
    { kind: 'dismiss', groupID, ownerUserID, memberUserIDs: [] },
  ];
}

/** The catalog command (canonical name) and the body fields OpenIM v3.7+ sends for an op. */
function describeOp(random: Random, op: MembershipOp, operationID: string): [string, Record<string, unknown>] {
  const g = { groupID: op.groupID };
  switch (op.kind) {
    case 'create':
      return [
        'callbackAfterCreateGroupCommand',
        {
          ...g,
          groupName: `Weekend <Ride> & ${op.groupID}`,
          notification: '',
          introduction: '',
          faceURL: '',
          ownerUserID: op.ownerUserID,
          createTime: Date.now(),
          // len(userIDs): each user once.
          memberCount: new Set(op.initMemberList.map((m) => m.userID)).size,
          ex: '',
          status: 0,
          creatorUserID: op.ownerUserID,
          groupType: 2,
          needVerification: 0,
          initMemberList: op.initMemberList,
        },
      ];
    case 'join':
      return random.chance(0.6)
        ? [
            'callbackAfterJoinGroupCommand',
            {
              operationID,
              ...g,
              reqMessage: 'hi <team> & all',
              joinSource: random.pick([2, 3, 4]),
              inviterUserID: op.userID,
            },
          ]
        : ['callbackAfterMemberJoinGroupCommand', { ...g, userID: op.userID, ex: '{"vip":true}', groupEx: '<extra>' }];
    case 'quit':
      return ['callbackAfterQuitGroupCommand', { ...g, userID: op.userID }];
    case 'kick':
      // `reason` exists since v3.8.1.
      return [
        'callbackAfterKickGroupCommand',
        random.chance(0.3)
          ? { ...g, kickedUserIDs: op.userIDs }
          : { ...g, kickedUserIDs: op.userIDs, reason: 'spam & ads' },
      ];
    case 'dismiss':
      return [
        'callbackAfterDisMissGroupCommand',
        // CallbackDisMissGroupReq's order; groupType is Go's string(int32) of a working group (2).
        { ...g, ownerID: op.ownerUserID, groupType: '\u0002', membersID: op.memberUserIDs },
      ];
    case 'transfer':
      return [
        'callbackAfterTransferGroupOwnerCommand',
        { ...g, oldOwnerUserID: op.oldOwnerUserID, newOwnerUserID: op.newOwnerUserID },
      ];
    case 'setInfo':
      return [
        'callbackAfterSetGroupMemberInfoCommand',
        { ...g, userID: op.userID, nickName: op.nickname, faceURL: null, roleLevel: op.roleLevel, ex: null },
      ];
  }
}

/** The seed document's formatting: spaces after `:` and `,`, no trailing newline. */
function docsJson(value: Record<string, unknown>): Buffer {
  const fields = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return Buffer.from(`{${fields.join(', ')}}`);
}

function toCallback(random: Random, op: MembershipOp, operationID: string, aliasShare: number): Callback {
  const [command, fields] = describeOp(random, op, operationID);
  const base = { groupID: op.groupID, operationID, command, op };
  // The docs' seed: `?command=` with a lower-case command, a capitalised callbackCommand.
  if (command === 'callbackAfterMemberJoinGroupCommand' && random.chance(0.4)) {
    const body = docsJson({ callbackCommand: `C${command.slice(1)}`, ...fields });
    return { ...base, path: `/callback?command=${command}&contenttype=json`, body };
  }
  const aliases = findCommand(command)?.aliases ?? [];
  const sent = aliases.length > 0 && random.chance(aliasShare) ? random.pick(aliases) : command;
  const body = goJson({ callbackCommand: sent, ...fields });
  const form = random.int(10);
  // v3.4.2+: the command as a path segment (`//` when the configured url ends in `/`); v3.0–3.4.0 and docs: `?command=`.
  if (form < 7) return { ...base, path: `/callback/${sent}`, body };
  if (form < 8) return { ...base, path: `/callback//${sent}`, body };
  if (form < 9) return { ...base, path: `/callback?command=${sent}`, body };
  return { ...base, path: `/callback?command=${sent}&contenttype=json`, body };
}
