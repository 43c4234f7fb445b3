import type { CallbackJobData, CallbackQueue } from '@openim-sync/queue';
import type { JobsOptions } from 'bullmq';

type Pending = {
  job: { name: string; data: CallbackJobData; opts: JobsOptions };
  resolve: () => void;
  reject: (err: unknown) => void;
};

/** Adds jobs to the queue, grouping the adds of one event-loop turn into one pipeline. */
export interface AddBatcher {
  add(name: string, data: CallbackJobData, opts: JobsOptions): Promise<void>;
}

/**
 * Micro-batching: callbacks that reach the enqueue step in the same turn of
 * the event loop go to Redis as one `addBulk` pipeline (one write, one round
 * trip) instead of one round trip each. Each caller's promise still settles
 * only when Redis answered for the whole batch, so the ack still follows the
 * enqueue. A batch never waits for more work: it is flushed on the next
 * `setImmediate`, or at once when it reaches `maxBatch`.
 */
export function createAddBatcher(queue: CallbackQueue, maxBatch: number): AddBatcher {
  let pending: Pending[] = [];
  let scheduled = false;

  function flush() {
    scheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    queue.addBulk(batch.map((p) => p.job)).then(
      () => {
        for (const p of batch) p.resolve();
      },
      (err: unknown) => {
        for (const p of batch) p.reject(err);
      },
    );
  }

  return {
    add(name, data, opts) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ job: { name, data, opts }, resolve, reject });
        if (pending.length >= maxBatch) flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
