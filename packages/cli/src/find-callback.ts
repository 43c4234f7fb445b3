import { type CallbackQueue, findInboxEntries, type InboxKeys } from '@openim-sync/queue';
import type { Redis } from 'ioredis';
import { isoTime } from './format.js';

/** Where a callback was found, and what `jobs find` shows of it. */
export interface FoundCallback {
  /** The job's state (waiting, active, …, completed), or "inbox" / "inbox rejected". */
  where: string;
  /** The job id, or the entry's id in its stream. */
  id: string;
  command: string | null;
  operationID: string;
  /** When the ingress received it, ISO. */
  receivedAt: string | null;
  /** Why it failed (a failed job) or was rejected (a rejected entry). */
  reason: string | null;
}

/** The states a job can be in, searched in the order a callback goes through them. */
export const JOB_STATES = ['active', 'waiting', 'prioritized', 'delayed', 'failed', 'completed'] as const;

/** Job ids read, and searched inside Redis, per round trip. */
const PAGE = 1000;

/**
 * The ids among KEYS' jobs whose stored data contains ARGV[1]. Searching
 * inside Redis sends back only the matches instead of every job's data
 * (100k jobs are 100+ MB of payloads); a page of 1000 jobs keeps each call
 * to about a millisecond of Redis time.
 */
const SEARCH_JOBS = `
local found = {}
for i, key in ipairs(KEYS) do
  local data = redis.call('HGET', key, 'data')
  if data and string.find(data, ARGV[1], 1, true) then found[#found + 1] = ARGV[i + 1] end
end
return found`;

/** Called after each page with how many jobs or entries were searched so far. */
export type OnSearched = (searched: number) => void;

/**
 * The jobs in any state whose `operationID` is this one (OpenIM reuses an
 * operationID across requests, so there may be several), page by page.
 * A job that moves to another state while the search passes may be
 * missed, or be seen twice: it is yielded once, with its state at the end.
 */
export async function* findJobs(
  queue: CallbackQueue,
  redis: Redis,
  operationID: string,
  onSearched: OnSearched = () => {},
) {
  // The data as BullMQ stored it (JSON.stringify): a cheap pre-filter, checked on the parsed job below.
  const needle = `"operationID":${JSON.stringify(operationID)}`;
  const seen = new Set<string>();
  let searched = 0;
  for (const state of JOB_STATES) {
    for (let start = 0; ; start += PAGE) {
      // Oldest first: jobs finishing meanwhile join the failed and completed sets at the end, not under the pages read.
      const ids = await queue.getRanges([state], start, start + PAGE - 1, true);
      if (ids.length === 0) break;
      const keys = ids.map((id) => queue.toKey(id));
      const matches = (await redis.eval(SEARCH_JOBS, keys.length, ...keys, needle, ...ids)) as string[];
      for (const id of matches) {
        if (seen.has(id)) continue;
        seen.add(id);
        const job = await queue.getJob(id);
        if (job?.data?.operationID !== operationID) continue;
        yield { job, state: await job.getState() };
      }
      searched += ids.length;
      onSearched(searched);
      if (ids.length < PAGE) break;
    }
  }
}

/** How many jobs `findJobs` goes through (for its progress). */
export async function countJobs(queue: CallbackQueue): Promise<number> {
  const counts = await queue.getJobCounts(...JOB_STATES);
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

/**
 * The entries of the inbox and of its rejected stream with this operationID
 * (see findInboxEntries in @openim-sync/queue, which alone reads their format).
 */
export async function* findInInbox(redis: Redis, keys: InboxKeys, operationID: string): AsyncGenerator<FoundCallback> {
  for await (const { stream, id, record, reason } of findInboxEntries(redis, keys, operationID)) {
    const { command, operationID: op, receivedAt } = record;
    const where = stream === 'inbox' ? 'inbox' : 'inbox rejected';
    yield { where, id, command, operationID: op, receivedAt: isoTime(receivedAt), reason };
  }
}
