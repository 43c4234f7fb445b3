import { type Command, EXIT, flagValue, usage } from '../command.js';
import { FAILED_HEADER, failedRow, formatTable, toJobLine } from '../format.js';
import { writeLine } from '../output.js';
import { scanWithProgress } from '../scan.js';
import { filterOptions, hasFilterFlags, readFilter } from './filter-flags.js';

/** `jobs failed`: the failed jobs, as a table or JSON lines. */
export const failedCommand: Command = {
  name: 'failed',
  summary: 'list failed jobs, newest first (a table, or --json lines)',
  usage: ['[--command C] [--group G] [--user U] [--since T] [--limit N] [--json]'],
  description: `Lists failed jobs, newest first: id, command, group, users, attempts made
of allowed, the failure reason (shortened; see "jobs show <id>") and when
it failed. Prints "no failed jobs" on stderr when none match. On a
terminal, a long scan shows its progress on stderr.`,
  options: [
    ...filterOptions('that failed'),
    {
      flags: '--json',
      help: 'one JSON object per line instead of a table: id, command, operationID, group, users, attemptsMade, attemptsAllowed, failedReason, failedAt, receivedAt. Prints nothing at all when no job matches.',
    },
  ],
  epilog: `Examples:
  openim-sync jobs failed --since 1h
  openim-sync jobs failed --group 3027412834 --json | jq -r .id`,
  positionals: false,
  prepare(args, now) {
    const filter = readFilter(args, now);
    if (!filter.ok) return usage(filter.message);
    const json = flagValue(args, 'json');
    const none = hasFilterFlags(args) ? 'no failed jobs match' : 'no failed jobs';
    return {
      ok: true,
      async run(ctx) {
        const { out, err } = ctx;
        if (json) {
          // Streamed: each page is written before the next is read.
          for await (const job of scanWithProgress(ctx, 'failed', filter.value, true)) {
            await writeLine(out, JSON.stringify(toJobLine(job)));
          }
          return EXIT.ok;
        }
        // The table is aligned, so its rows (a few short strings each) are gathered first.
        const rows: string[][] = [];
        for await (const job of scanWithProgress(ctx, 'failed', filter.value)) rows.push(failedRow(job));
        if (rows.length === 0) {
          await writeLine(err, none);
          return EXIT.ok;
        }
        for (const line of formatTable([FAILED_HEADER, ...rows])) await writeLine(out, line);
        return EXIT.ok;
      },
    };
  },
};
