import {
  appendToInbox,
  type CallbackJobData,
  callbackJobId,
  type InboxRecord,
  inboxKeys,
  keepRejected,
  type QueueSettings,
  type RedisMemoryWatch,
} from '@openim-sync/queue';
import { withTimeout } from '@openim-sync/runtime';
import type { Redis } from 'ioredis';
import { createWriteCoalescer } from './write-coalescer.js';

/** `reason` names a refusal the handler counts apart (`redis-memory`); others are "unavailable". */
export type Refused = { ok: false; message: string; reason?: 'redis-memory' };
/** Redis holds the callback, under the id its job will have (`jobId`), or it was refused. */
export type EnqueueResult = { ok: true; jobId: string } | Refused;
/** Redis keeps the refused callback, or could not. */
export type KeepResult = { ok: true } | Refused;

/** What the HTTP layer needs from the queue; tests pass a fake. */
export interface Producer {
  /** Resolves once Redis holds the callback, or with `ok: false` (never hangs, never throws). */
  enqueue(data: CallbackJobData, body: Uint8Array): Promise<EnqueueResult>;
  /**
   * Keeps a callback that names a known command but cannot become a job (it
   * fails its schema) in the inbox's rejected stream, bounded like the
   * failed set. Same contract as enqueue.
   */
  keep(record: InboxRecord, reason: string): Promise<KeepResult>;
  /** True when Redis answers a PING in time. */
  ready(): Promise<boolean>;
}

export interface ProducerOptions {
  /** From createProducerConnection: its command timeout bounds an inbox append. */
  connection: Redis;
  /** Its contentDedupMs decides how job ids are made (see callbackJobId). */
  settings: QueueSettings;
  timeoutMs: number;
  /** Sends the writes of one event-loop turn as one write to Redis (see write-coalescer.ts); off by default. */
  coalesceWrites?: boolean;
  /** Refuses writes while Redis's memory is above its high-water mark (see redis-memory.ts); none when left out. */
  memory?: Pick<RedisMemoryWatch, 'full'> | undefined;
}

const FULL: Refused = {
  ok: false,
  reason: 'redis-memory',
  message: 'Redis memory is above REDIS_MEMORY_HIGH_WATER: refused until the workers drain the backlog',
};

/**
 * Hands callbacks to Redis. The ack is sent only after this resolves `ok`,
 * that is after Redis appended the callback to the queue's inbox stream,
 * which the workers move into the queue (see packages/queue/src/inbox.ts).
 */
export function createProducer(options: ProducerOptions): Producer {
  const { connection, settings, timeoutMs, coalesceWrites = false, memory } = options;
  const coalesce = coalesceWrites ? createWriteCoalescer(connection) : () => {};
  const keys = inboxKeys(settings);
  const { stream } = keys;
  const contentDedup = settings.contentDedupMs > 0;
  const write = (data: CallbackJobData, body: Uint8Array, jobId: string) => {
    coalesce();
    return appendToInbox(connection, stream, {
      command: data.command,
      operationID: data.operationID,
      receivedAt: data.receivedAt,
      jobId,
      body,
    });
  };
  return {
    async enqueue(data, body) {
      // Fail fast while disconnected instead of queueing work behind a dead link.
      if (connection.status !== 'ready') return { ok: false, message: `Redis is unavailable (${connection.status})` };
      if (memory?.full()) return FULL;
      try {
        // The receipt's id is fixed now and travels with the entry: a second move or a redrive reuses it.
        const jobId = callbackJobId(data.command, data.operationID, body, contentDedup);
        // One XADD, bounded by the connection's own command timeout (ENQUEUE_TIMEOUT_MS).
        await write(data, body, jobId);
        return { ok: true, jobId };
      } catch (err) {
        return { ok: false, message: `Redis did not accept the job: ${(err as Error).message}` };
      }
    },
    async keep(record, reason) {
      if (connection.status !== 'ready') return { ok: false, message: `Redis is unavailable (${connection.status})` };
      if (memory?.full()) return FULL;
      try {
        // The receipt's id is fixed now too, so a redrive (or two) makes one job.
        const jobId = record.jobId ?? callbackJobId(record.command, record.operationID, record.body, contentDedup);
        await keepRejected(connection, keys, settings.keepFailed, reason, { ...record, jobId });
        return { ok: true };
      } catch (err) {
        return { ok: false, message: `Redis did not keep the callback: ${(err as Error).message}` };
      }
    },
    async ready() {
      if (connection.status !== 'ready') return false;
      try {
        return (await withTimeout(connection.ping(), timeoutMs)) === 'PONG';
      } catch {
        return false;
      }
    },
  };
}
