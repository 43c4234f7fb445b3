import type { Redis } from 'ioredis';
import { type InboxKeys, type InboxRecord, readInboxFields } from './entry.js';
import { readRejectedFields } from './rejected.js';

/** An entry of the inbox or of its rejected stream, as `jobs find` shows it. */
export interface FoundEntry {
  stream: 'inbox' | 'rejected';
  /** Its id in that stream. */
  id: string;
  record: InboxRecord;
  /** Why it was rejected; null in the inbox. */
  reason: string | null;
}

/** Stream entries read per round trip. */
const PAGE = 500;

/** Every entry of a stream, oldest first, page by page. */
async function* streamEntries(redis: Redis, key: string): AsyncGenerator<[id: Buffer, fields: Buffer[]]> {
  let start = '-';
  for (;;) {
    const page = await redis.xrangeBuffer(key, start, '+', 'COUNT', PAGE);
    yield* page;
    const last = page.at(-1);
    if (!last || page.length < PAGE) return;
    start = `(${last[0].toString()}`;
  }
}

/**
 * The entries of the inbox (acknowledged, not moved into the queue yet) and
 * of its rejected stream with this operationID. Both are read whole: the
 * inbox stays near empty while workers run, and the rejected stream is
 * trimmed like the failed set.
 */
export async function* findInboxEntries(
  redis: Redis,
  keys: InboxKeys,
  operationID: string,
): AsyncGenerator<FoundEntry> {
  for await (const [rawId, fields] of streamEntries(redis, keys.stream)) {
    const read = readInboxFields(fields);
    if (read.ok && read.value.operationID === operationID) {
      yield { stream: 'inbox', id: rawId.toString(), record: read.value, reason: null };
    }
  }
  for await (const [rawId, raw] of streamEntries(redis, keys.rejected)) {
    const { reason, fields } = readRejectedFields(raw);
    const read = readInboxFields(fields);
    if (read.ok && read.value.operationID === operationID) {
      yield { stream: 'rejected', id: rawId.toString(), record: read.value, reason };
    }
  }
}
