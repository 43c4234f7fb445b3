import type { CallbackJobData, CallbackQueue } from '@openim-sync/queue';
import type { Job } from 'bullmq';
import { type JobFilter, matchesFilter } from './filters.js';
import { createProgress, type Output } from './output.js';

/** A job of the callback queue as BullMQ returns it. */
export type CallbackJob = Job<CallbackJobData, unknown, string>;

/** Jobs fetched per round trip: large enough to be quick, small enough to hold 100k failed jobs one page at a time. */
const PAGE_SIZE = 250;

/**
 * Yields the failed or completed jobs that match `filter`, newest first,
 * reading the set one page at a time so a large failed set is never loaded
 * at once. BullMQ scores both sets by the time a job finished, so a `since`
 * filter stops the scan at the first older job. New jobs finishing during the
 * scan push the pages down; ids already seen are skipped, so nothing is
 * yielded twice.
 */
export async function* scanJobs(
  queue: CallbackQueue,
  state: 'failed' | 'completed',
  filter: JobFilter,
  pageSize = PAGE_SIZE,
  onPage: (read: number) => void = () => {},
): AsyncGenerator<CallbackJob> {
  const seen = new Set<string>();
  let matched = 0;
  for (let start = 0; ; start += pageSize) {
    const ids = await queue.getRanges([state], start, start + pageSize - 1, false);
    if (ids.length === 0) return;
    onPage(start + ids.length);
    // A job trimmed or removed between the two reads comes back undefined: skip it.
    const jobs = await Promise.all(ids.filter((id) => !seen.has(id)).map((id) => queue.getJob(id)));
    for (const job of jobs) {
      if (!job?.id || seen.has(job.id)) continue;
      seen.add(job.id);
      if (filter.since !== undefined && (job.finishedOn ?? 0) < filter.since) return;
      if (!matchesFilter(job, filter)) continue;
      yield job;
      matched++;
      if (filter.limit !== undefined && matched >= filter.limit) return;
    }
  }
}

/**
 * The ids of every matching job, collected before a bulk action changes
 * the set (retrying or removing while paging would shift the pages under
 * the scan and skip jobs).
 */
export async function collectIds(
  ctx: { queue: CallbackQueue; err: Output },
  state: 'failed' | 'completed',
  filter: JobFilter,
) {
  const ids: string[] = [];
  for await (const job of scanWithProgress(ctx, state, filter)) ids.push(job.id as string);
  return ids;
}

/**
 * {@link scanJobs} with its progress ("read failed 2500/100000") on `err`
 * when that is a terminal. `streaming`: the caller writes each job as it
 * comes, so the progress line is erased first (a later page draws it again).
 */
export async function* scanWithProgress(
  ctx: { queue: CallbackQueue; err: Output },
  state: 'failed' | 'completed',
  filter: JobFilter,
  streaming = false,
): AsyncGenerator<CallbackJob> {
  const progress = createProgress(ctx.err, `read ${state}`, await ctx.queue.getJobCountByTypes(state));
  try {
    for await (const job of scanJobs(ctx.queue, state, filter, PAGE_SIZE, progress.update)) {
      if (streaming) progress.clear();
      yield job;
    }
  } finally {
    progress.clear();
  }
}
