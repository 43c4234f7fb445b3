import {
  addCallbackJob,
  appendToInbox,
  type CallbackJobData,
  type CallbackQueue,
  callbackJobId,
  inboxKeys,
  type QueueSettings,
} from '@openim-sync/queue';
import type { Redis } from 'ioredis';
import { createWriteCoalescer } from './write-coalescer.js';

export type EnqueueResult = { ok: true } | { ok: false; message: string };

/** What the HTTP layer needs from the queue; tests pass a fake. */
export interface Producer {
  /** Resolves once Redis holds the callback, or with `ok: false` (never hangs, never throws). */
  enqueue(data: CallbackJobData, body: Uint8Array): Promise<EnqueueResult>;
  /** True when Redis answers a PING in time. */
  ready(): Promise<boolean>;
}

/** `inbox`: one XADD to the queue's inbox stream, which workers move into the queue; `direct`: BullMQ's add. */
export type EnqueueMode = 'inbox' | 'direct';

export interface ProducerOptions {
  queue: CallbackQueue;
  /** From createProducerConnection: its command timeout bounds an inbox append. */
  connection: Redis;
  /** Its dedupTtlMs is the deduplication window of direct adds. */
  settings: QueueSettings;
  timeoutMs: number;
  /** Default `direct` here; the ingress's ENQUEUE_MODE defaults to `inbox`. */
  mode?: EnqueueMode;
  /** Sends the writes of one event-loop turn as one write to Redis (see write-coalescer.ts); off by default. */
  coalesceWrites?: boolean;
}

/**
 * Hands callbacks to Redis. The ack is sent only after this resolves `ok`:
 * in direct mode after Redis ran BullMQ's add script, in inbox mode after it
 * appended the callback to the inbox stream (see packages/queue/src/inbox.ts).
 */
export function createProducer(options: ProducerOptions): Producer {
  const { queue, connection, settings, timeoutMs, mode = 'direct', coalesceWrites = false } = options;
  const coalesce = coalesceWrites ? createWriteCoalescer(connection) : () => {};
  const { stream } = inboxKeys(settings);
  const write: (data: CallbackJobData, body: Uint8Array) => Promise<unknown> =
    mode === 'inbox'
      ? (data, body) => {
          coalesce();
          return appendToInbox(connection, stream, {
            command: data.command,
            operationID: data.operationID,
            receivedAt: data.receivedAt,
            // The mover derives content ids itself; a random one must be fixed now, so a second move reuses it.
            jobId: data.operationID === '' ? callbackJobId(data.command, '', body) : undefined,
            body,
          });
        }
      : (data, body) => {
          coalesce();
          return addCallbackJob(queue, settings, data, callbackJobId(data.command, data.operationID, body));
        };
  return {
    async enqueue(data, body) {
      // Fail fast while disconnected instead of queueing work behind a dead link.
      if (connection.status !== 'ready') return { ok: false, message: `Redis is unavailable (${connection.status})` };
      try {
        // One XADD is bounded by the connection's own command timeout (ENQUEUE_TIMEOUT_MS); an add runs several commands.
        await (mode === 'inbox' ? write(data, body) : withTimeout(write(data, body), timeoutMs));
        return { ok: true };
      } catch (err) {
        return { ok: false, message: `Redis did not accept the job: ${(err as Error).message}` };
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

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
