import { type OptionSpecs, type ParsedArgs, stringValue } from '../command.js';
import type { Parsed } from '../duration.js';
import { type JobFilter, parseFilter } from '../filters.js';

/** The filter flags shared by `failed`, `retry --all`, `remove --all` and `replay`. */
export const filterOptions: OptionSpecs = {
  command: { type: 'string' },
  group: { type: 'string' },
  user: { type: 'string' },
  since: { type: 'string' },
  limit: { type: 'string' },
};

/** Names of the filter flags, to tell when one was given. */
export const FILTER_FLAGS = Object.keys(filterOptions);

/** Help lines for the filter flags; `finished` says what `--since` compares ("failed", "completed"). */
export function filterHelp(finished: string): string {
  return `Filters (all given ones must match):
  --command C  jobs of callback command C (canonical name or an older alias)
  --group G    events of group G
  --user U     events about user U: the member who joined, quit or changed, a
               kicked user, a member of a created or dismissed group, either
               side of an owner transfer
  --since T    jobs ${finished} at or after T: a duration back from now (30s,
               15m, 1h, 2d) or an ISO time (2026-11-25T10:00:00Z; UTC when
               no zone is given)
  --limit N    at most N jobs, newest first`;
}

/** Reads and validates the filter flags. */
export function readFilter(args: ParsedArgs, now: number): Parsed<JobFilter> {
  return parseFilter(
    {
      command: stringValue(args, 'command'),
      group: stringValue(args, 'group'),
      user: stringValue(args, 'user'),
      since: stringValue(args, 'since'),
      limit: stringValue(args, 'limit'),
    },
    now,
  );
}

/** True when any filter flag was given. */
export function hasFilterFlags(args: ParsedArgs): boolean {
  return FILTER_FLAGS.some((name) => args.values[name] !== undefined);
}
