import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '@openim-sync/runtime';
import type { Catalog } from '@openim-sync/schema';
import type { Redis } from 'ioredis';
import { addCallbackJobs, type CallbackJob, type CallbackQueue } from '../queue.js';
import type { QueueSettings } from '../settings.js';
import { INBOX_GROUP, type InboxKeys, inboxKeys } from './entry.js';
import { execOrThrow, queueRejections, type Rejection } from './rejected.js';
import { toJob } from './to-job.js';

export interface InboxMoverOptions {
  /** A connection of the mover's own: it blocks on reads. The caller creates it; close() disconnects it. */
  reader: Redis;
  /** The queue the entries are added to (on another connection). */
  queue: CallbackQueue;
  settings: QueueSettings;
  /** Checks each entry and builds its event (see toJob). */
  catalog: Catalog;
  logger: Logger;
  /** Most entries read and moved at once. */
  batchMax?: number;
  /** How long a read waits for new entries before the loop looks around (claims, shutdown). */
  blockMs?: number;
  /** An entry read by a mover that has not acknowledged it for this long is taken over (its mover died). */
  claimIdleMs?: number;
  /** Consumer name in the group; unique per process by default. */
  consumer?: string;
  /** Resolves false while Redis has no room for more jobs (MOVE_MEMORY_LIMIT): entries wait in the inbox meanwhile. */
  roomToMove?: () => Promise<boolean>;
  /** Called after each batch landed in the queue. */
  onMoved?: (count: number) => void;
  /** Called for each entry that could not become a job (kept in the rejected stream). */
  onRejected?: () => void;
}

export interface InboxMover {
  /** Moves entries until close(); rejects only if the loop itself breaks. */
  run(): Promise<void>;
  /** Lets the batch in hand land, then stops and disconnects the reader. Idempotent. */
  close(): Promise<void>;
}

type StreamEntry = [id: Buffer, fields: Buffer[]];
/** A re-read of pending entries returns one deleted from the stream meanwhile (XDEL, XTRIM) without fields. */
type ReadEntry = [id: Buffer, fields: Buffer[] | null];
type Kept = Rejection & { entry: string; about: { command?: string; operationID?: string } };

/** Redis answers XREADGROUP/XAUTOCLAIM for one stream in these shapes. */
type ReadReply = [stream: Buffer, entries: (ReadEntry | null)[]][] | null;
type ClaimReply = [cursor: Buffer, entries: (StreamEntry | null)[], deleted?: Buffer[]];

/**
 * Moves the inbox (see entry.ts) into the queue.
 *
 * Every worker runs one; together they read the stream as one consumer
 * group, so each entry is moved by one of them. A batch is acknowledged and
 * deleted from the stream only after each of its jobs was added, so a mover
 * that dies mid-batch leaves its entries pending; after `claimIdleMs`
 * another mover (or this one, restarted) claims and moves them again. A
 * second add of the same entry adds nothing: the ingress fixed the job id
 * of the receipt in the entry, the queue does not add an id it holds, and
 * the sinks record what they applied by job id.
 *
 * An entry that cannot become a job (it no longer passes the catalog after an
 * upgrade, or is malformed) is copied to the rejected stream with the reason,
 * logged, and removed from the inbox: it is never dropped silently and never
 * blocks the entries behind it. The rejected stream is kept as long as
 * failed jobs are (KEEP_FAILED_AGE_SECONDS, and KEEP_FAILED_COUNT if set).
 */
export function createInboxMover(options: InboxMoverOptions): InboxMover {
  const { reader, queue, settings, catalog, logger } = options;
  const batchMax = options.batchMax ?? 100;
  const blockMs = options.blockMs ?? 1000;
  const claimIdleMs = options.claimIdleMs ?? 15_000;
  const consumer = options.consumer ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const keys: InboxKeys = inboxKeys(settings);
  let closing = false;
  let running: Promise<void> | undefined;
  let moving: Promise<void> | undefined;

  async function ensureGroup(): Promise<void> {
    try {
      // From the start of the stream: entries appended before any worker ran are moved too.
      await reader.xgroup('CREATE', keys.stream, INBOX_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  async function move(entries: (ReadEntry | null)[]): Promise<void> {
    const ids: string[] = [];
    const jobs: CallbackJob[] = [];
    const kept: Kept[] = [];
    for (const read of entries) {
      if (!read) continue;
      const [rawId, fields] = read;
      const entry = rawId.toString();
      // Nothing left to move for a deleted entry, but it stays pending (and re-read first) until acknowledged.
      ids.push(entry);
      if (!fields) continue;
      const job = toJob(entry, fields, settings, catalog);
      if (job.ok) jobs.push(job.value);
      else kept.push({ entry, reason: job.reason, fields, about: job.about });
    }
    if (ids.length === 0) return;
    // All or nothing: if one add fails, the whole batch stays pending and is moved again (adds are idempotent).
    if (jobs.length > 0) await addCallbackJobs(queue, settings, jobs);
    // Acknowledged only once Redis holds every job: in the same pipeline as the adds, an XACK would
    // still run after a refused add (a full Redis), and the entry would be gone with no job.
    const tx = reader.multi();
    queueRejections(tx, keys, settings.keepFailed, kept);
    tx.xack(keys.stream, INBOX_GROUP, ...ids);
    tx.xdel(keys.stream, ...ids);
    await execOrThrow(tx, 'inbox acknowledgement');
    for (const k of kept) {
      logger.error(
        { entry: k.entry, ...k.about, reason: k.reason },
        'inbox entry cannot become a job: kept in the rejected stream',
      );
      options.onRejected?.();
    }
    if (jobs.length > 0) options.onMoved?.(jobs.length);
  }

  /**
   * Reads a batch: `'>'` waits up to blockMs for entries no consumer has read;
   * `'0'` returns this consumer's own entries read before and not acknowledged
   * (after an error), oldest first.
   */
  async function read(from: '>' | '0'): Promise<(ReadEntry | null)[]> {
    const group = ['GROUP', INBOX_GROUP, consumer, 'COUNT', batchMax] as const;
    const reply = (
      from === '>'
        ? await reader.xreadgroupBuffer(...group, 'BLOCK', blockMs, 'STREAMS', keys.stream, from)
        : await reader.xreadgroupBuffer(...group, 'STREAMS', keys.stream, from)
    ) as ReadReply;
    return reply?.[0]?.[1] ?? [];
  }

  let claimCursor = '0-0';
  /** Takes over one page of entries other movers read but did not acknowledge within claimIdleMs. */
  async function claimStale(): Promise<(StreamEntry | null)[]> {
    const reply = (await reader.callBuffer(
      'XAUTOCLAIM',
      keys.stream,
      INBOX_GROUP,
      consumer,
      claimIdleMs,
      claimCursor,
      'COUNT',
      batchMax,
    )) as ClaimReply;
    claimCursor = reply[0].toString();
    const claimed = reply[1];
    if (claimed.length > 0) logger.warn({ entries: claimed.length }, 'inbox: moving entries a stopped mover left');
    return claimed;
  }

  async function loop(): Promise<void> {
    let needGroup = true;
    let recoverOwn = true;
    let nextClaimAt = 0;
    let lastErrorLog = 0;
    while (!closing) {
      try {
        if (options.roomToMove && !(await options.roomToMove())) {
          await delay(blockMs / 2);
          continue;
        }
        if (needGroup) {
          await ensureGroup();
          needGroup = false;
        }
        let entries: (ReadEntry | null)[];
        if (recoverOwn) {
          entries = await read('0');
          if (entries.length === 0) recoverOwn = false;
        } else if (Date.now() >= nextClaimAt) {
          entries = await claimStale();
          if (claimCursor === '0-0') nextClaimAt = Date.now() + Math.max(1000, claimIdleMs / 2);
        } else {
          entries = await read('>');
        }
        if (entries.length > 0) {
          moving = move(entries);
          await moving;
        }
      } catch (err) {
        if (closing) break;
        if ((err as Error).message.includes('NOGROUP')) needGroup = true;
        recoverOwn = true;
        if (Date.now() - lastErrorLog > 30_000) {
          lastErrorLog = Date.now();
          logger.error({ err }, 'inbox mover: cannot move right now, retrying');
        }
        await delay(500);
      } finally {
        moving = undefined;
      }
    }
  }

  return {
    run() {
      running ??= loop();
      return running;
    },
    async close() {
      closing = true;
      await moving?.catch(() => {});
      reader.disconnect();
      await running?.catch(() => {});
    },
  };
}
