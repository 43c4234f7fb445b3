import { findCommand } from '@openim-sync/schema';
import { type Parsed, parseLimit, parseSince } from './duration.js';

/** Which jobs a listing or bulk action takes. Every field is optional; all given ones must match. */
export interface JobFilter {
  /** Canonical command name (aliases resolve to it). */
  command?: string;
  group?: string;
  user?: string;
  /** Epoch ms: only jobs that finished (failed or completed) at or after it. */
  since?: number;
  /** At most this many jobs, newest first. */
  limit?: number;
}

/** The filter flags as the command line gives them (all strings). */
export interface FilterArgs {
  command?: string | undefined;
  group?: string | undefined;
  user?: string | undefined;
  since?: string | undefined;
  limit?: string | undefined;
}

/** What a filter looks at in a job: BullMQ's `Job` has this shape. */
export interface FilterableJob {
  name: string;
  data: unknown;
  finishedOn?: number | undefined;
}

/** Validates filter flags; a bad value is a usage error naming the flag. */
export function parseFilter(args: FilterArgs, now: number): Parsed<JobFilter> {
  const filter: JobFilter = {};
  if (args.command !== undefined) {
    const definition = findCommand(args.command);
    if (!definition) return { ok: false, message: `--command "${args.command}": not a known OpenIM callback command` };
    filter.command = definition.command;
  }
  for (const key of ['group', 'user'] as const) {
    const value = args[key];
    if (value === undefined) continue;
    if (value.trim() === '') return { ok: false, message: `--${key}: expected an ID, got an empty value` };
    filter[key] = value;
  }
  if (args.since !== undefined) {
    const since = parseSince(args.since, now);
    if (!since.ok) return since;
    filter.since = since.value;
  }
  if (args.limit !== undefined) {
    const limit = parseLimit(args.limit);
    if (!limit.ok) return limit;
    filter.limit = limit.value;
  }
  return { ok: true, value: filter };
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

// Field names that hold users, across every event type: userID, sendID,
// recvID, ownerUserID, oldOwnerUserID, newOwnerUserID, fromUserID, …
const USER_FIELD = /^(userID|sendID|recvID)$|UserID$/;
// …and lists of them: userIDs, memberUserIDs, friendUserIDs, atUserIDs, …
const USERS_FIELD = /^userIDs$|UserIDs$/;
// …and lists of objects with a userID: members (group created), users (registered).
const USER_LIST = /^(members|users)$/;

/**
 * Every user a normalised event is about, once each: the member who joined,
 * quit or changed, the kicked users, the members of a created or dismissed
 * group (and its owner), both sides of an owner transfer, and the same by
 * name in other events (any `…UserID` / `…UserIDs` field, `sendID`,
 * `recvID`, `members[].userID`, `users[].userID`). Reads the event
 * defensively: a hand-made or malformed job has whatever it has.
 */
export function usersOf(event: unknown): string[] {
  if (typeof event !== 'object' || event === null) return [];
  const found: unknown[] = [];
  for (const [key, value] of Object.entries(event)) {
    if (USER_FIELD.test(key)) found.push(value);
    else if (USERS_FIELD.test(key) && Array.isArray(value)) found.push(...value);
    else if (USER_LIST.test(key) && Array.isArray(value)) found.push(...value.map((item) => field(item, 'userID')));
  }
  return [...new Set(found.filter((user): user is string => typeof user === 'string' && user !== ''))];
}

/** The group a job's event is about, if it names one. */
export function groupOf(data: unknown): string | undefined {
  const group = field(field(data, 'event'), 'groupID');
  return typeof group === 'string' ? group : undefined;
}

/** The command a job carries: its data's canonical command, else the job name. */
export function commandOf(job: FilterableJob): string {
  const command = field(job.data, 'command');
  return typeof command === 'string' ? command : job.name;
}

/** True when the job passes the command, group, user and since parts of the filter (limit is the scanner's). */
export function matchesFilter(job: FilterableJob, filter: JobFilter): boolean {
  if (filter.command !== undefined && commandOf(job) !== filter.command && job.name !== filter.command) return false;
  if (filter.group !== undefined && groupOf(job.data) !== filter.group) return false;
  if (filter.user !== undefined && !usersOf(field(job.data, 'event')).includes(filter.user)) return false;
  if (filter.since !== undefined && (job.finishedOn ?? 0) < filter.since) return false;
  return true;
}
