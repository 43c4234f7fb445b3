import type { Command } from '../command.js';
import { type BulkAction, bulkJsonOption, prepareBulk } from './bulk.js';
import { filterOptions } from './filter-flags.js';

/**
 * Moves a failed job back to the queue. The attempt counters are reset: a
 * redrive (after the cause was fixed) gets the full RETRY_SCHEDULE with
 * backoff again instead of a single try that one transient error would end.
 * Earlier errors stay in the job's stack traces.
 */
const retry: BulkAction = {
  verb: 'retry',
  done: 'retried',
  apply: (job) => job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }),
};

/** `jobs retry`: redrive failed jobs. */
export const retryCommand: Command = {
  name: 'retry',
  summary: 'move failed jobs back to the queue (<id…>, or --all with filters)',
  usage: [
    '<id…> [--dry-run] [--json]',
    '--all [--command C] [--group G] [--user U] [--since T] [--limit N] [--dry-run] [--json]',
  ],
  description: `Moves failed jobs back to the queue; a worker applies them again. Attempts
start again from zero (the full RETRY_SCHEDULE); the earlier
errors stay visible in "jobs show". Jobs that are not failed (any more) are
skipped. Ends with a summary: "retried N, skipped M (not failed), errors K".
On a terminal, --all shows its progress on one updating line.`,
  options: [
    ...filterOptions('that failed'),
    { flags: '--all', help: 'every failed job that matches the filters' },
    { flags: '--dry-run', help: 'list what would be retried; change nothing' },
    bulkJsonOption(retry),
  ],
  epilog: `Exits 1 when an id is unknown or a retry failed.

Examples:
  openim-sync jobs retry h-AbC123 u-4f1c…
  openim-sync jobs retry --all --command callbackAfterJoinGroupCommand --since 2h --dry-run`,
  positionals: true,
  prepare: (args, now) => prepareBulk(args, now, retry, false),
};
