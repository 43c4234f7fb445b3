import {
  type CallbackJobData,
  type CallbackQueue,
  callbackJobId,
  callbackJobOptions,
  type QueueSettings,
} from '@openim-sync/queue';
import type { Redis } from 'ioredis';

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
}

/**
 * Adds callbacks to the queue. The ack is sent only after this resolves
 * `ok`, i.e. after Redis ran the add script.
 */
export function createProducer({ queue, connection, settings, dedupTtlMs, timeoutMs }: ProducerOptions): Producer {
  return {
    async enqueue(data, body) {
      // Fail fast while disconnected instead of queueing work behind a dead link.
      if (connection.status !== 'ready') return { ok: false, message: `Redis is unavailable (${connection.status})` };
      const jobId = callbackJobId(data.command, data.operationID, body);
      try {
        await withTimeout(queue.add(data.command, data, callbackJobOptions(settings, jobId, dedupTtlMs)), timeoutMs);
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
