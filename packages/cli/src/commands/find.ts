import { inboxKeys } from '@openim-sync/queue';
import type { Paint } from '../color.js';
import { type Command, type CommandContext, EXIT, flagValue, usage } from '../command.js';
import { commandOf } from '../filters.js';
import { countJobs, type FoundCallback, findInInbox, findJobs } from '../find-callback.js';
import { formatTable, isoTime, shorten } from '../format.js';
import { createProgress, writeLine } from '../output.js';

const HEADER = ['WHERE', 'ID', 'COMMAND', 'RECEIVED AT', 'REASON'];

function row(callback: FoundCallback, paint: Paint): string[] {
  const bad = callback.where === 'failed' || callback.where === 'inbox rejected';
  const where = bad ? paint('red', callback.where) : callback.where;
  const reason = shorten(callback.reason ?? '-', 60);
  return [where, callback.id, callback.command ?? '-', callback.receivedAt ?? '-', reason];
}

/** Every place, inbox first, then the jobs in the order of their states; JSON lines as they are found. */
async function* everywhere(ctx: CommandContext, operationID: string): AsyncGenerator<FoundCallback> {
  yield* findInInbox(ctx.redis, inboxKeys(ctx.settings), operationID);
  const progress = createProgress(ctx.err, 'searched jobs', await countJobs(ctx.queue));
  for await (const { job, state } of findJobs(ctx.queue, ctx.redis, operationID, progress.update)) {
    progress.clear();
    yield {
      where: state,
      id: job.id ?? '',
      command: commandOf(job),
      operationID,
      receivedAt: isoTime(job.data.receivedAt),
      reason: job.failedReason || null,
    };
  }
  progress.clear();
}

async function find(ctx: CommandContext, operationID: string, json: boolean): Promise<number> {
  const rows: string[][] = [];
  let count = 0;
  for await (const callback of everywhere(ctx, operationID)) {
    count++;
    if (json) await writeLine(ctx.out, JSON.stringify(callback));
    else rows.push(row(callback, ctx.paint.out));
  }
  if (rows.length > 0) for (const line of formatTable([HEADER, ...rows])) await writeLine(ctx.out, line);
  if (count > 0) return EXIT.ok;
  await writeLine(ctx.err, `no job or inbox entry has operationID "${operationID}"`);
  return EXIT.error;
}

/** `jobs find <operationID>`: a callback wherever it is. */
export const findCommand: Command = {
  name: 'find',
  summary: 'find a callback by its operationID, in any state, the inbox included',
  usage: ['<operationID> [--json]'],
  description: `Finds the callbacks OpenIM sent with this operationID (the request's
operationID header, which OpenIM also logs): every job in any state
(active, waiting, prioritized, delayed, failed, completed while still in
retention) and every entry of the inbox and of its rejected stream. One
operationID can name several callbacks: OpenIM and App backends reuse them.

Jobs are searched inside Redis, a page at a time, so 100k jobs take
seconds; on a terminal the search shows its progress. A job that changes
state while the search passes it may be missed: search again.
"jobs show <id>" shows a job found here in full.`,
  options: [
    {
      flags: '--json',
      help: 'one JSON object per callback found, as it is found: where (the state, "inbox" or "inbox rejected"), id, command, operationID, receivedAt, reason',
    },
  ],
  epilog: `Exits 1 when nothing has this operationID (with --json too: no line then).

Examples:
  openim-sync jobs find 2e7a1c5e-3b5f-4a51-9d7c-0c8f6f3e9b21
  openim-sync jobs find 2e7a1c5e-3b5f-4a51-9d7c-0c8f6f3e9b21 --json | jq -r .where`,
  positionals: true,
  prepare(args) {
    const [operationID, extra] = args.positionals;
    if (operationID === undefined || operationID === '') return usage('give the operationID of a callback');
    if (extra !== undefined) return usage(`one operationID at a time (unexpected "${extra}")`);
    const json = flagValue(args, 'json');
    return { ok: true, run: (ctx) => find(ctx, operationID, json) };
  },
};
