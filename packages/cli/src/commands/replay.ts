import { type CallbackJobData, callbackJobOptions } from '@openim-sync/queue';
import { type Command, type CommandContext, EXIT, flagValue, usage } from '../command.js';
import type { JobFilter } from '../filters.js';
import { COMPLETED_HEADER, completedRow, formatTable, type JobLine, toJobLine } from '../format.js';
import { createProgress, writeLine } from '../output.js';
import { scanWithProgress } from '../scan.js';
import { filterOptions, readFilter } from './filter-flags.js';

const REPLAY_ID = /^r-(.+)-\d+$/;

/** The id of the job a replay was made from (the id itself when it is no replay). */
export function originalJobId(id: string): string {
  return REPLAY_ID.exec(id)?.[1] ?? id;
}

/**
 * The id of a replay: `r-<original id>-<replay run time>`. It must be new.
 * The original id is the Postgres sink's applied-events key and the HTTP
 * sink's Idempotency-Key, so under that id the Postgres sink would skip the
 * event as already applied and a replay after a sink bug was fixed would do
 * nothing. A replay of a replay is named after the original.
 */
export function replayJobId(id: string, runAt: number): string {
  return `r-${originalJobId(id)}-${runAt}`;
}

interface ReplayItem {
  id: string;
  name: string;
  data: CallbackJobData;
  row: string[];
  line: JobLine;
}

function completedJobs(count: number): string {
  return `${count} completed job${count === 1 ? '' : 's'}`;
}

/** Jobs added per round trip. */
const CHUNK = 100;

/**
 * The matching completed jobs, newest copy of each event only: after an
 * earlier replay both the original and its replay are in the completed set,
 * and the event must go once. Their data is held (bounded by the completed
 * retention, KEEP_COMPLETED_*) because replays completing while we add would
 * trim the oldest originals from the set before we read them.
 */
async function collect(ctx: CommandContext, filter: JobFilter): Promise<ReplayItem[]> {
  const { limit, ...unlimited } = filter;
  const items = new Map<string, ReplayItem>();
  for await (const job of scanWithProgress(ctx, 'completed', unlimited)) {
    const original = originalJobId(job.id as string);
    if (items.has(original)) continue;
    const line = toJobLine(job, 'completed');
    items.set(original, { id: job.id as string, name: job.name, data: job.data, row: completedRow(job), line });
    if (limit !== undefined && items.size >= limit) break;
  }
  return [...items.values()];
}

async function replay(ctx: CommandContext, filter: JobFilter, dryRun: boolean, json: boolean): Promise<number> {
  const items = await collect(ctx, filter);
  if (dryRun && json) {
    for (const item of items) await writeLine(ctx.out, JSON.stringify({ ...item.line, outcome: 'would-replay' }));
    return EXIT.ok;
  }
  if (dryRun) {
    if (items.length > 0) {
      for (const line of formatTable([COMPLETED_HEADER, ...items.map((item) => item.row)]))
        await writeLine(ctx.out, line);
    }
    await writeLine(ctx.out, `would replay ${completedJobs(items.length)}`);
    return EXIT.ok;
  }
  // Oldest first, so the sinks see the events in the order OpenIM sent them.
  items.sort((a, b) => (a.data.receivedAt ?? 0) - (b.data.receivedAt ?? 0));
  const runAt = ctx.now;
  const progress = createProgress(ctx.err, 'replayed', items.length);
  for (let start = 0; start < items.length; start += CHUNK) {
    const chunk = items.slice(start, start + CHUNK);
    await ctx.queue.addBulk(
      // Same name and data (receivedAt included, which orders the projection);
      // replay ids are not content ids, so no deduplication window applies (TTL 0).
      chunk.map((item) => ({
        name: item.name,
        data: item.data,
        opts: callbackJobOptions(ctx.settings, replayJobId(item.id, runAt), 0),
      })),
    );
    progress.update(start + chunk.length);
    if (!json) continue;
    progress.clear();
    for (const item of chunk) {
      const replayId = replayJobId(item.id, runAt);
      await writeLine(ctx.out, JSON.stringify({ ...item.line, outcome: 'replayed', replayId }));
    }
  }
  progress.clear();
  if (json) return EXIT.ok;
  const ids = items.length > 0 ? ` as r-<original id>-${runAt}` : '';
  await writeLine(ctx.out, `replayed ${completedJobs(items.length)}${ids}`);
  return EXIT.ok;
}

/** `jobs replay --since T`: enqueue completed jobs again under new ids. */
export const replayCommand: Command = {
  name: 'replay',
  summary: 'enqueue completed jobs again under new ids (after a sink bug was fixed)',
  usage: ['--since T [--command C] [--group G] [--user U] [--limit N] [--dry-run] [--json]'],
  description: `Enqueues the completed jobs still in retention (KEEP_COMPLETED_COUNT and
KEEP_COMPLETED_AGE_SECONDS) that completed at or after T again, with the
same command and data, through the same job options as the ingress. Use it
after a sink bug was fixed, to apply the events the buggy sink mishandled.

Replays get NEW job ids, r-<original id>-<time of the replay>. The original
id is the Postgres sink's applied-events key and the HTTP sink's
Idempotency-Key: under it the Postgres sink would skip the event as already
applied. The trade-off: a replay is applied again on purpose. The App gets
it under a new Idempotency-Key; Postgres applies it again, which is safe
because the replay keeps the original receivedAt and the projection orders
by it (an old join replayed after a newer quit does not bring the member
back). Each event goes once per run, even when an earlier replay of it is
in retention too; the oldest are enqueued first.`,
  options: [
    ...filterOptions('that completed', '; required here'),
    { flags: '--dry-run', help: 'list what would be replayed; enqueue nothing' },
    {
      flags: '--json',
      help: 'one JSON object per job instead of table and summary: a completed job\'s fields (id, command, operationID, group, users, …, completedAt, receivedAt) with outcome "replayed" and its replayId (or "would-replay" with --dry-run)',
    },
  ],
  epilog: `Example:
  openim-sync jobs replay --since 2026-11-25T09:00:00Z --command callbackAfterQuitGroupCommand`,
  positionals: false,
  prepare(args, now) {
    if (args.values.since === undefined) return usage('--since is required: which completed jobs to replay');
    const filter = readFilter(args, now);
    if (!filter.ok) return usage(filter.message);
    const dryRun = flagValue(args, 'dry-run');
    const json = flagValue(args, 'json');
    return { ok: true, run: (ctx) => replay(ctx, filter.value, dryRun, json) };
  },
};
