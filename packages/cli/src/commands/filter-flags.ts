import type { OptionSpec, ParsedArgs } from '../command.js';
import { stringValue } from '../command.js';
import type { Parsed } from '../duration.js';
import { type JobFilter, parseFilter } from '../filters.js';

const FILTERS = 'Filters (all given ones must match):';

/** Names of the filter flags, to tell when one was given. */
export const FILTER_FLAGS = ['command', 'group', 'user', 'since', 'limit'] as const;

/**
 * The filter flags shared by `failed`, `retry --all`, `remove --all` and
 * `replay`; `finished` says what `--since` compares ("failed", "completed"),
 * `sinceNote` is added to its help.
 */
export function filterOptions(finished: string, sinceNote = ''): OptionSpec[] {
  return [
    { flags: '--command <C>', help: 'jobs of callback command C (canonical name or an older alias)' },
    { flags: '--group <G>', help: 'events of group G' },
    {
      flags: '--user <U>',
      help: 'events about user U: the member who joined, quit or changed, a kicked user, a member of a created or dismissed group, either side of an owner transfer',
    },
    {
      flags: '--since <T>',
      help: `jobs ${finished} at or after T: a duration back from now (30s, 15m, 1h, 2d) or an ISO time (2026-11-25T10:00:00Z; UTC when no zone is given)${sinceNote}`,
    },
    { flags: '--limit <N>', help: 'at most N jobs, newest first' },
  ].map((option) => ({ ...option, group: FILTERS }));
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
