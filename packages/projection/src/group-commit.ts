export interface GroupCommitOptions<T, R> {
  /** Most items in one batch. */
  maxBatch: number;
  /** Batches running at once (the pool's connections); more items wait and join the next batch. */
  maxRunning: number;
  /** Runs one batch; settles each item in order, and resolves only once their effects are durable. */
  run(batch: T[]): Promise<PromiseSettledResult<R>[]>;
}

/**
 * Group commit: `submit` resolves with the item's own result once the batch
 * holding it has run. A batch starts at once while fewer than `maxRunning`
 * run, so an item waits for no timer: batches are single items at low load
 * and fill up (to `maxBatch`) only while every connection is busy.
 */
export function createGroupCommit<T, R>({ maxBatch, maxRunning, run }: GroupCommitOptions<T, R>) {
  const waiting: Array<{ item: T; resolve: (value: R) => void; reject: (reason: unknown) => void }> = [];
  let running = 0;

  function pump() {
    while (running < maxRunning && waiting.length > 0) {
      const batch = waiting.splice(0, maxBatch);
      running++;
      run(batch.map((entry) => entry.item))
        .then(
          (results) => {
            for (const [i, entry] of batch.entries()) {
              const result = results[i];
              if (result?.status === 'fulfilled') entry.resolve(result.value);
              else entry.reject(result ? result.reason : new Error('group commit: no result for an item'));
            }
          },
          (err: unknown) => {
            for (const entry of batch) entry.reject(err);
          },
        )
        .finally(() => {
          running--;
          pump();
        });
    }
  }

  return {
    submit(item: T): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        pump();
      });
    },
  };
}
