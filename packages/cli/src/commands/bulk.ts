import type { CallbackQueue } from '@openim-sync/queue';
import {
  type CommandContext,
  EXIT,
  flagValue,
  type OptionSpec,
  type ParsedArgs,
  type Prepared,
  usage,
} from '../command.js';
import type { JobFilter } from '../filters.js';
import { FAILED_HEADER, failedRow, formatTable, toJobLine } from '../format.js';
import { createProgress, writeLine } from '../output.js';
import { type CallbackJob, collectIds, scanWithProgress } from '../scan.js';
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
  | { kind: 'done'; job: CallbackJob }
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
  if (dryRun) return { kind: 'done', job };
  try {
    await action.apply(job);
    return { kind: 'done', job };
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
}

function summary(
  { paint }: CommandContext,
  action: BulkAction,
  dryRun: boolean,
  done: number,
  skipped: number,
  errors: number,
): string {
  const head = dryRun ? `would ${action.verb} ${done}` : `${action.done} ${done}`;
  const tail = `errors ${errors}`;
  return `${head}, skipped ${skipped} (not failed), ${errors > 0 ? paint.out('red', tail) : tail}`;
}

/**
 * One `--json` line per job: what a listing shows of it and `outcome`
 * ("retried", "would-retry", …), or its id, "skipped" with its state,
 * "unknown", or "error" with the message. There is no summary line: count
 * the outcomes (the exit code says whether any failed).
 */
function jsonLine(id: string, outcome: Outcome, action: BulkAction, dryRun: boolean): string {
  switch (outcome.kind) {
    case 'done':
      return JSON.stringify({ ...toJobLine(outcome.job), outcome: dryRun ? `would-${action.verb}` : action.done });
    case 'skipped':
      return JSON.stringify({ id, outcome: 'skipped', state: outcome.state });
    case 'unknown':
      return JSON.stringify({ id, outcome: 'unknown' });
    default:
      return JSON.stringify({ id, outcome: 'error', error: outcome.message });
  }
}

/** The `--json` flag of `retry` and `remove`. */
export function bulkJsonOption(action: BulkAction): OptionSpec {
  return {
    flags: '--json',
    help: `one JSON object per job instead of text and summary: a failed job's fields (as "jobs failed --json") with outcome "${action.done}" (or "would-${action.verb}" with --dry-run), or id with outcome "skipped" (and its state), "unknown" or "error" (and the error)`,
  };
}

/** How a run prints: `json` lines, or text with a summary. */
export interface BulkOptions {
  dryRun: boolean;
  json: boolean;
}

/** `jobs <verb> <id…>`: each id gets a line; unknown ids and failures make the exit code 1. */
export async function runOnIds(ctx: CommandContext, ids: string[], action: BulkAction, { dryRun, json }: BulkOptions) {
  let done = 0;
  let skipped = 0;
  let errors = 0;
  for (const id of ids) {
    const outcome = await applyOne(ctx.queue, id, action, dryRun);
    if (json) await writeLine(ctx.out, jsonLine(id, outcome, action, dryRun));
    if (outcome.kind === 'done') {
      done++;
      if (!json) await writeLine(ctx.out, dryRun ? `would ${action.verb} ${id}` : `${action.done} ${id}`);
    } else if (outcome.kind === 'skipped') {
      skipped++;
      if (!json) await writeLine(ctx.err, `${id}: not failed (${outcome.state}), skipped`);
    } else {
      errors++;
      if (!json) {
        await writeLine(ctx.err, `${id}: ${outcome.kind === 'unknown' ? 'no job with this id' : outcome.message}`);
      }
    }
  }
  if (!json) await writeLine(ctx.out, summary(ctx, action, dryRun, done, skipped, errors));
  return errors > 0 ? EXIT.error : EXIT.ok;
}

/**
 * `jobs <verb> --all [filters]`: the matching ids are collected first (acting
 * while paging would shift the pages), then handled in small parallel
 * batches with a progress line on a terminal. `dryRun` only lists them.
 */
export async function runOnAll(ctx: CommandContext, filter: JobFilter, action: BulkAction, options: BulkOptions) {
  const { dryRun, json } = options;
  if (dryRun) {
    const rows: string[][] = [];
    for await (const job of scanWithProgress(ctx, 'failed', filter, json)) {
      if (json) await writeLine(ctx.out, jsonLine(job.id as string, { kind: 'done', job }, action, true));
      else rows.push(failedRow(job));
    }
    if (json) return EXIT.ok;
    if (rows.length > 0) for (const line of formatTable([FAILED_HEADER, ...rows])) await writeLine(ctx.out, line);
    await writeLine(ctx.out, summary(ctx, action, true, rows.length, 0, 0));
    return EXIT.ok;
  }
  const ids = await collectIds(ctx, 'failed', filter);
  const progress = createProgress(ctx.err, action.done, ids.length);
  let done = 0;
  let skipped = 0;
  let errors = 0;
  for (let start = 0; start < ids.length; start += BATCH) {
    const batch = ids.slice(start, start + BATCH);
    const outcomes = await Promise.all(batch.map((id) => applyOne(ctx.queue, id, action, false)));
    for (const [index, outcome] of outcomes.entries()) {
      const id = batch[index] as string;
      if (json) {
        progress.clear();
        await writeLine(ctx.out, jsonLine(id, outcome, action, false));
      }
      if (outcome.kind === 'done') done++;
      // Gone or no longer failed since the scan: someone else handled it (a worker, another operator).
      else if (outcome.kind === 'skipped' || outcome.kind === 'unknown') skipped++;
      else {
        errors++;
        progress.clear();
        if (!json) await writeLine(ctx.err, `${id}: ${outcome.message}`);
      }
    }
    progress.update(start + batch.length);
  }
  progress.clear();
  if (!json) await writeLine(ctx.out, summary(ctx, action, false, done, skipped, errors));
  return errors > 0 ? EXIT.error : EXIT.ok;
}

/**
 * Validates `<id…>` or `--all [filters]` (one of the two), and `--yes` when
 * the action is destructive, before anything connects.
 */
export function prepareBulk(args: ParsedArgs, now: number, action: BulkAction, needsYes: boolean): Prepared {
  const all = flagValue(args, 'all');
  const dryRun = flagValue(args, 'dry-run');
  const options = { dryRun, json: flagValue(args, 'json') };
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
    run: (ctx) => (all ? runOnAll(ctx, filter.value, action, options) : runOnIds(ctx, ids, action, options)),
  };
}
