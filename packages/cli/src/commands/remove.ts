import type { Command } from '../command.js';
import { type BulkAction, prepareBulk } from './bulk.js';
import { filterHelp, filterOptions } from './filter-flags.js';

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
  help: `Usage: jobs remove <id…> [--dry-run]
       jobs remove --all [--command C] [--group G] [--user U] [--since T] [--limit N] --yes

Deletes failed jobs for good: their callback is not applied and cannot be
retried afterwards. Only failed jobs are removed; others are skipped. Ends
with a summary: "removed N, skipped M (not failed), errors K".

A bulk delete (--all) needs --yes; without it the tool refuses and exits 2.

${filterHelp('that failed')}

Options:
  --all        every failed job that matches the filters
  --yes        confirm a bulk delete
  --dry-run    list what would be removed; change nothing
  -h, --help   this help

Exits 1 when an id is unknown or a removal failed.

Examples:
  jobs remove h-AbC123
  jobs remove --all --command callbackAfterQuitGroupCommand --since 1d --yes
`,
  options: { ...filterOptions, all: { type: 'boolean' }, yes: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
  positionals: true,
  prepare: (args, now) => prepareBulk(args, now, remove, true),
};
