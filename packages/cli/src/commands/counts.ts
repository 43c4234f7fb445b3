import { setTimeout as sleep } from 'node:timers/promises';
import { inboxKeys, inboxLengths } from '@openim-sync/queue';
import { type Command, type CommandContext, EXIT, flagValue, usage } from '../command.js';
import { formatTable } from '../format.js';
import { writeLine } from '../output.js';

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

/** Seconds between two readings of `--watch` without a value. */
const WATCH_DEFAULT_S = 2;

/** Home the cursor and clear the screen: each reading replaces the last on a terminal. */
const CLEAR_SCREEN = '\x1b[H\x1b[2J';

type State = (typeof STATES)[number];

type Counts = Record<State, number> & { paused: boolean; inbox: number; inboxRejected: number };

async function readCounts({ queue, redis, settings }: CommandContext): Promise<Counts> {
  const [counts, paused, lengths] = await Promise.all([
    queue.getJobCounts(...STATES),
    queue.isPaused(),
    inboxLengths(redis, inboxKeys(settings)),
  ]);
  const values = Object.fromEntries(STATES.map((state) => [state, counts[state] ?? 0])) as Record<State, number>;
  return { ...values, paused, inbox: lengths.inbox, inboxRejected: lengths.rejected };
}

/** The table, with what needs a look (failed jobs, rejected entries, a paused queue) coloured. */
function countsTable(counts: Counts, { paint }: CommandContext): string[] {
  const attention = (value: number) => (value > 0 ? paint.out('red', String(value)) : String(value));
  return formatTable([
    ...STATES.map((state) => [state, state === 'failed' ? attention(counts.failed) : String(counts[state])]),
    ['paused', counts.paused ? paint.out('yellow', 'yes') : 'no'],
    ['inbox', String(counts.inbox)],
    ['inbox rejected', attention(counts.inboxRejected)],
  ]);
}

/** `--watch`: a reading every `intervalMs` until Ctrl-C, which ends the run with exit 0. */
async function watch(ctx: CommandContext, intervalMs: number, json: boolean): Promise<number> {
  const signal = ctx.interrupt();
  const every = `every ${intervalMs / 1000}s`;
  while (!signal.aborted) {
    const counts = await readCounts(ctx);
    const at = new Date().toISOString();
    if (json) await writeLine(ctx.out, JSON.stringify({ at, ...counts }));
    else {
      // On a terminal the reading replaces the last; in a pipe or a log they follow each other.
      const head = ctx.out.isTTY ? `${CLEAR_SCREEN}${every}, Ctrl-C to stop` : '';
      await writeLine(ctx.out, `${head}${ctx.paint.out('dim', at)}`);
      for (const line of countsTable(counts, ctx)) await writeLine(ctx.out, line);
      if (!ctx.out.isTTY) await writeLine(ctx.out, '');
    }
    await sleep(intervalMs, undefined, { signal }).catch(() => {});
  }
  return EXIT.ok;
}

/** Reads `--watch [N]`: absent, on with the default, or N seconds (a positive number). */
function readWatch(value: string | boolean | undefined): { ok: true; ms?: number } | { ok: false; message: string } {
  if (value === undefined || value === false) return { ok: true };
  if (value === true) return { ok: true, ms: WATCH_DEFAULT_S * 1000 };
  const seconds = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (seconds > 0 && seconds <= 86_400) return { ok: true, ms: Math.round(seconds * 1000) };
  return { ok: false, message: `--watch "${value}": expected seconds between readings, such as 2 or 0.5` };
}

/** `jobs counts`: jobs per state, whether the queue is paused, and the inbox's entries. */
export const countsCommand: Command = {
  name: 'counts',
  summary: 'jobs per state, whether the queue is paused, entries in the inbox and its rejected stream',
  usage: ['[--watch [N]] [--json]'],
  description: `Shows how many jobs are waiting, active, delayed (waiting for a retry),
completed (still in retention) and failed, whether the queue is paused, and
how many entries the inbox holds: "inbox" counts callbacks the ingress
acknowledged that no worker has moved into the queue yet,
"inbox rejected" the entries no worker could turn into a job (see "jobs inbox").

"paused" is yes or no, not a number: BullMQ 6 has no paused job state; the
jobs of a paused queue stay in "waiting" until "jobs resume".

--watch reads them again every N seconds (default 2) until Ctrl-C, which
exits 0; on a terminal each reading replaces the last.`,
  options: [
    { flags: '--watch [N]', help: 'read the counts again every N seconds (default 2) until Ctrl-C' },
    {
      flags: '--json',
      help: 'one JSON object: {"waiting":0,…,"failed":0,"paused":false,"inbox":0,"inboxRejected":0}; with --watch, one per reading, with its time first ({"at":"…",…})',
    },
  ],
  epilog: `Examples:
  openim-sync jobs counts
  openim-sync jobs counts --watch 5`,
  positionals: false,
  prepare(args) {
    const json = flagValue(args, 'json');
    const watching = readWatch(args.values.watch);
    if (!watching.ok) return usage(watching.message);
    const intervalMs = watching.ms;
    if (intervalMs !== undefined) return { ok: true, run: (ctx) => watch(ctx, intervalMs, json) };
    return {
      ok: true,
      async run(ctx) {
        const counts = await readCounts(ctx);
        if (json) await writeLine(ctx.out, JSON.stringify(counts));
        else for (const line of countsTable(counts, ctx)) await writeLine(ctx.out, line);
        return EXIT.ok;
      },
    };
  },
};
