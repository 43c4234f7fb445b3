import {
  type CallbackJobData,
  type CallbackQueue,
  callbackJobId,
  callbackJobOptions,
  type JobRouting,
  presenceKeys,
  type QueueSettings,
} from '@openim-sync/queue';
import { findCommand } from '@openim-sync/schema';
import type { Redis } from 'ioredis';
import { createWriteCoalescer } from './write-coalescer.js';

export type EnqueueResult = { ok: true; jobId: string } | { ok: false; message: string };

/** What the HTTP layer needs from the queue; tests pass a fake. */
export interface Producer {
  /** Resolves once Redis has accepted the job, or with `ok: false` (never hangs, never throws). */
  enqueue(data: CallbackJobData, body: Uint8Array): Promise<EnqueueResult>;
  /** True when Redis answers a PING in time. */
  ready(): Promise<boolean>;
}

export interface ProducerOptions {
  queue: CallbackQueue;
  connection: Redis;
  settings: QueueSettings;
  dedupTtlMs: number;
  timeoutMs: number;
  /** Sends the adds of one event-loop turn as one write to Redis (see write-coalescer.ts); off by default. */
  coalesceWrites?: boolean;
}

/**
 * Adds callbacks to the queue. The ack is sent only after this resolves
 * `ok`, i.e. after Redis ran the add script.
 */
export function createProducer(options: ProducerOptions): Producer {
  const { queue, connection, settings, dedupTtlMs, timeoutMs, coalesceWrites = false } = options;
  const coalesce = coalesceWrites ? createWriteCoalescer(connection) : () => {};
  const add = async (data: CallbackJobData, jobId: string): Promise<void> => {
    coalesce();
    const routing: JobRouting = { highVolume: findCommand(data.command)?.volume === 'high' };
    const presence = data.event.type === 'user.presence' ? presenceKeys(data.event) : undefined;
    if (presence) routing.coalesceKey = presence.key;
    const opts = callbackJobOptions(settings, jobId, dedupTtlMs, routing);
    await queue.add(data.command, data, opts);
    // A change of state must not be coalesced away by an earlier report of the other state.
    if (presence && settings.presenceCoalesceMs) await queue.removeDeduplicationKey(presence.opposite);
  };
  return {
    async enqueue(data, body) {
      // Fail fast while disconnected instead of queueing work behind a dead link.
      if (connection.status !== 'ready') return { ok: false, message: `Redis is unavailable (${connection.status})` };
      const jobId = callbackJobId(data.command, data.operationID, body);
      try {
        await withTimeout(add(data, jobId), timeoutMs);
        return { ok: true, jobId };
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
