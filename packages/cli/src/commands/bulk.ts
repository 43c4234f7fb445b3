import type { CallbackQueue } from '@openim-sync/queue';
import { type CommandContext, EXIT, flagValue, type ParsedArgs, type Prepared, usage } from '../command.js';
import type { JobFilter } from '../filters.js';
import { FAILED_HEADER, failedRow, formatTable } from '../format.js';
import { createProgress, writeLine } from '../output.js';
import { type CallbackJob, collectIds, scanJobs } from '../scan.js';
import { hasFilterFlags, readFilter } from './filter-flags.js';

/** What `retry` and `remove` do to one failed job. */
export interface BulkAction {
  /** The verb, for messages: "retry". */
  verb: string;
  /** Its past tense, for the summary: "retried". */
  done: string;
  apply(job: CallbackJob): Promise<void>;
}

type Outcome =
  | { kind: 'done' }
  | { kind: 'skipped'; state: string }
  | { kind: 'unknown' }
  | { kind: 'error'; message: string };

/** Failed jobs acted on at once in a bulk run: a few round trips in flight, not 100k. */
const BATCH = 50;

/**
 * Applies the action to one job if it is still failed. Connection errors
 * (reading the job) propagate and end the run; a refusal of the action
 * itself (the job was locked or moved meanwhile) is this job's error only.
 */
async function applyOne(queue: CallbackQueue, id: string, action: BulkAction, dryRun: boolean): Promise<Outcome> {
  const job = await queue.getJob(id);
  if (!job) return { kind: 'unknown' };
  const state = await job.getState();
  if (state !== 'failed') return { kind: 'skipped', state };
  if (dryRun) return { kind: 'done' };
  try {
    await action.apply(job);
    return { kind: 'done' };
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
}

function summary(action: BulkAction, dryRun: boolean, done: number, skipped: number, errors: number): string {
  const head = dryRun ? `would ${action.verb} ${done}` : `${action.done} ${done}`;
  return `${head}, skipped ${skipped} (not failed), errors ${errors}`;
}

/** `jobs <verb> <id…>`: each id gets a line; unknown ids and failures make the exit code 1. */
export async function runOnIds(ctx: CommandContext, ids: string[], action: BulkAction, dryRun: boolean) {
  let done = 0;
  let skipped = 0;
  let errors = 0;
  for (const id of ids) {
    const outcome = await applyOne(ctx.queue, id, action, dryRun);
    if (outcome.kind === 'done') {
      done++;
      await writeLine(ctx.out, dryRun ? `would ${action.verb} ${id}` : `${action.done} ${id}`);
    } else if (outcome.kind === 'skipped') {
      skipped++;
      await writeLine(ctx.err, `${id}: not failed (${outcome.state}), skipped`);
    } else {
      errors++;
      await writeLine(ctx.err, `${id}: ${outcome.kind === 'unknown' ? 'no job with this id' : outcome.message}`);
    }
  }
  await writeLine(ctx.out, summary(action, dryRun, done, skipped, errors));
  return errors > 0 ? EXIT.error : EXIT.ok;
}

/**
 * `jobs <verb> --all [filters]`: the matching ids are collected first (acting
 * while paging would shift the pages), then handled in small parallel
 * batches with a progress line on a terminal. `dryRun` only lists them.
 */
export async function runOnAll(ctx: CommandContext, filter: JobFilter, action: BulkAction, dryRun: boolean) {
  if (dryRun) {
    const rows: string[][] = [];
    for await (const job of scanJobs(ctx.queue, 'failed', filter)) rows.push(failedRow(job));
    if (rows.length > 0) for (const line of formatTable([FAILED_HEADER, ...rows])) await writeLine(ctx.out, line);
    await writeLine(ctx.out, summary(action, true, rows.length, 0, 0));
    return EXIT.ok;
  }
  const ids = await collectIds(ctx.queue, 'failed', filter);
  const progress = createProgress(ctx.err, action.done, ids.length);
  let done = 0;
  let skipped = 0;
  let errors = 0;
  for (let start = 0; start < ids.length; start += BATCH) {
    const batch = ids.slice(start, start + BATCH);
    const outcomes = await Promise.all(batch.map((id) => applyOne(ctx.queue, id, action, false)));
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome.kind === 'done') done++;
      // Gone or no longer failed since the scan: someone else handled it (a worker, another operator).
      else if (outcome.kind === 'skipped' || outcome.kind === 'unknown') skipped++;
      else {
        errors++;
        progress.clear();
        await writeLine(ctx.err, `${batch[index]}: ${outcome.message}`);
      }
    }
    progress.update(start + batch.length);
  }
  progress.clear();
  await writeLine(ctx.out, summary(action, false, done, skipped, errors));
  return errors > 0 ? EXIT.error : EXIT.ok;
}

/**
 * Validates `<id…>` or `--all [filters]` (one of the two), and `--yes` when
 * the action is destructive, before anything connects.
 */
export function prepareBulk(args: ParsedArgs, now: number, action: BulkAction, needsYes: boolean): Prepared {
  const all = flagValue(args, 'all');
  const dryRun = flagValue(args, 'dry-run');
  const ids = args.positionals;
  if (all && ids.length > 0) return usage('give job ids or --all, not both');
  if (!all && ids.length === 0)
    return usage(`give the ids of failed jobs, or --all to ${action.verb} every failed job`);
  if (!all && hasFilterFlags(args)) return usage('filters (--command, --group, --user, --since, --limit) need --all');
  const filter = readFilter(args, now);
  if (!filter.ok) return usage(filter.message);
  if (all && needsYes && !dryRun && !flagValue(args, 'yes')) {
    return usage(`refusing to ${action.verb} failed jobs in bulk without --yes (--dry-run lists them)`);
  }
  return {
    ok: true,
    run: (ctx) => (all ? runOnAll(ctx, filter.value, action, dryRun) : runOnIds(ctx, ids, action, dryRun)),
  };
}
