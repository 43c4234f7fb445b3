import type { Command } from '../command.js';
import { type BulkAction, bulkJsonOption, prepareBulk } from './bulk.js';
import { filterOptions } from './filter-flags.js';

/** Deletes a failed job with its data, logs and stack traces. */
const remove: BulkAction = {
  verb: 'remove',
  done: 'removed',
  apply: (job) => job.remove(),
};

/** `jobs remove`: delete failed jobs. */
export const removeCommand: Command = {
  name: 'remove',
  summary: 'delete failed jobs (<id…>, or --all with filters and --yes)',
  usage: [
    '<id…> [--dry-run] [--json]',
    '--all [--command C] [--group G] [--user U] [--since T] [--limit N] --yes [--json]',
  ],
  description: `Deletes failed jobs for good: their callback is not applied and cannot be
retried afterwards. Only failed jobs are removed; others are skipped. Ends
with a summary: "removed N, skipped M (not failed), errors K".

A bulk delete (--all) needs --yes; without it the tool refuses and exits 2.`,
  options: [
    ...filterOptions('that failed'),
    { flags: '--all', help: 'every failed job that matches the filters' },
    { flags: '--yes', help: 'confirm a bulk delete' },
    { flags: '--dry-run', help: 'list what would be removed; change nothing' },
    bulkJsonOption(remove),
  ],
  epilog: `Exits 1 when an id is unknown or a removal failed.

Examples:
  openim-sync jobs remove h-AbC123
  openim-sync jobs remove --all --command callbackAfterQuitGroupCommand --since 1d --yes`,
  positionals: true,
  prepare: (args, now) => prepareBulk(args, now, remove, true),
};
