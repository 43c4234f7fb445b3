import type { Redis } from 'ioredis';
import { appendToInbox, type InboxKeys, type InboxRecord } from './entry.js';
import { type RejectedEntry, toRejectedEntry } from './rejected.js';

/** A stream entry id in full, as `jobs inbox` prints them (`1732000000000-0`). */
export const STREAM_ID = /^\d+-\d+$/;

/** The rejected entry with this id, if there is one. */
export async function readRejected(redis: Redis, keys: InboxKeys, id: string): Promise<RejectedEntry | undefined> {
  const [raw] = await redis.xrangeBuffer(keys.rejected, id, id);
  return raw ? toRejectedEntry(raw) : undefined;
}

/** How many entries the rejected stream holds. */
export function countRejected(redis: Redis, keys: InboxKeys): Promise<number> {
  return redis.xlen(keys.rejected);
}

/** Entries read per round trip. */
const PAGE = 100;

/** The rejected entries newest first, at most `limit`, page by page. */
export async function* newestRejected(
  redis: Redis,
  keys: InboxKeys,
  limit = Number.POSITIVE_INFINITY,
): AsyncGenerator<RejectedEntry> {
  let end = '+';
  let left = limit;
  while (left > 0) {
    const page = await redis.xrevrangeBuffer(keys.rejected, end, '-', 'COUNT', Math.min(PAGE, left));
    for (const raw of page) yield toRejectedEntry(raw);
    const last = page.at(-1);
    if (!last || page.length < Math.min(PAGE, left)) return;
    left -= page.length;
    end = `(${last[0].toString()}`;
  }
}

/**
 * The rejected entries there were when the scan began, oldest first (the
 * order they reached the inbox), page by page. Entries added later are left
 * out: a redriven entry a worker rejects again must not come round twice.
 */
export async function* oldestRejected(redis: Redis, keys: InboxKeys): AsyncGenerator<RejectedEntry> {
  const [newest] = await redis.xrevrangeBuffer(keys.rejected, '+', '-', 'COUNT', 1);
  if (!newest) return;
  const end = newest[0].toString();
  let start = '-';
  for (;;) {
    const page = await redis.xrangeBuffer(keys.rejected, start, end, 'COUNT', PAGE);
    for (const raw of page) yield toRejectedEntry(raw);
    const last = page.at(-1);
    if (!last || page.length < PAGE) return;
    start = `(${last[0].toString()}`;
  }
}

/**
 * Appends a rejected entry's record to the inbox, bytes unchanged, and only
 * then deletes it from the rejected stream: a failure in between leaves it
 * in both, and a second copy moved later makes the same job id, which the
 * queue and the sinks deduplicate. Resolves with the new inbox id.
 */
export async function redriveRejected(redis: Redis, keys: InboxKeys, id: string, record: InboxRecord): Promise<string> {
  const inboxId = await appendToInbox(redis, keys.stream, record);
  if (inboxId === null) throw new Error(`${id}: Redis did not append it to the inbox`);
  await redis.xdel(keys.rejected, id);
  return inboxId;
}
