import type { Redis } from 'ioredis';
import type { DuplicateReader } from '../metrics.js';

/**
 * Counts, inside Redis, the `duplicated` / `deduplicated` entries of a BullMQ
 * events stream after a given id, and returns only the count, the last id
 * seen and how many entries were read: the entries themselves never cross
 * the network.
 */
const COUNT_DUPLICATES = `
local entries = redis.call('XRANGE', KEYS[1], ARGV[1], '+', 'COUNT', tonumber(ARGV[2]))
local found = 0
local last = ''
for _, entry in ipairs(entries) do
  last = entry[1]
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'event' then
      if fields[i + 1] == 'duplicated' or fields[i + 1] == 'deduplicated' then found = found + 1 end
      break
    end
  end
end
return { found, last, #entries }
`;

export interface DuplicateCounterOptions {
  /** A connection of the admin listener's own (never the producer's). */
  connection: Redis;
  /** The queue's events stream, e.g. `bull:openim-callbacks:events` (a BullMQ queue's `keys.events`). */
  eventsKey: string;
  /** Entries read per script call, so Redis is never busy for long at once. */
  batch?: number;
  /** Calls per read at most; more entries than batch × this since the last scrape are left for the next. */
  maxBatches?: number;
}

/**
 * Re-deliveries refused by the queue, read from its events stream when
 * Prometheus scrapes. BullMQ's add answers a re-delivery with the id the
 * ingress asked for, exactly as for a new job, so the request path cannot
 * tell the two apart without an extra Redis command per callback (measured:
 * a clear CPU cost per request); following the stream with a QueueEvents
 * reader cost far more (it parses every event of every job). The stream
 * keeps the latest ~10,000 events, so at very high rates events trimmed
 * between two scrapes are not counted: a lower bound then.
 */
export function createDuplicateCounter({
  connection,
  eventsKey,
  batch = 1000,
  maxBatches = 20,
}: DuplicateCounterOptions) {
  let after: string | undefined;
  let running: Promise<number> = Promise.resolve(0);

  async function lastId(): Promise<string> {
    const [newest] = await connection.xrevrange(eventsKey, '+', '-', 'COUNT', 1);
    return newest?.[0] ?? '0-0';
  }

  async function readNew(): Promise<number> {
    // Only what happens from now on counts (the first call just takes the position).
    if (after === undefined) {
      after = await lastId();
      return 0;
    }
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const [found, last, read] = (await connection.eval(COUNT_DUPLICATES, 1, eventsKey, `(${after}`, batch)) as [
        number,
        string,
        number,
      ];
      total += found;
      if (read > 0) after = last;
      if (read < batch) break;
    }
    return total;
  }

  return {
    /** Takes the stream's current position; call at start so duplicates before the first scrape count. */
    start: () => readDuplicates(),
    read: readDuplicates as DuplicateReader,
  };

  /** One read at a time: two scrapes at once must not count the same entries twice. */
  function readDuplicates(): Promise<number> {
    running = running.then(readNew, readNew).catch(() => 0);
    return running;
  }
}
