import { describe, expect, it, vi } from 'vitest';
import { createGroupCommit } from './group-commit.js';

/** A run whose batches finish only when the test says so. */
function heldRuns() {
  const batches: number[][] = [];
  const finish: Array<() => void> = [];
  const run = (batch: number[]) => {
    batches.push(batch);
    return new Promise<PromiseSettledResult<number>[]>((resolve) =>
      finish.push(() =>
        resolve(
          batch.map((n) =>
            n < 0 ? { status: 'rejected', reason: new Error(`bad ${n}`) } : { status: 'fulfilled', value: n * 10 },
          ),
        ),
      ),
    );
  };
  return { batches, run, finishNext: () => finish.shift()?.() };
}

describe('group commit', () => {
  it('runs an item at once while a slot is free and batches those that wait, up to maxBatch', async () => {
    const { batches, run, finishNext } = heldRuns();
    const commits = createGroupCommit({ maxBatch: 3, maxRunning: 2, run });
    const results = [1, 2, 3, 4, 5, 6].map((n) => commits.submit(n));
    expect(batches).toEqual([[1], [2]]);
    finishNext();
    await vi.waitFor(() => expect(batches).toEqual([[1], [2], [3, 4, 5]]));
    finishNext();
    await vi.waitFor(() => expect(batches).toHaveLength(4));
    finishNext();
    finishNext();
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it("settles each item with its own result, and fails a batch's items when its run throws", async () => {
    const { batches, run, finishNext } = heldRuns();
    const commits = createGroupCommit({ maxBatch: 10, maxRunning: 1, run });
    const results = Promise.allSettled([1, 2, -3, 4].map((n) => commits.submit(n)));
    finishNext();
    await vi.waitFor(() => expect(batches).toEqual([[1], [2, -3, 4]]));
    finishNext();
    expect((await results).map((r) => (r.status === 'fulfilled' ? r.value : r.reason.message))).toEqual([
      10,
      20,
      'bad -3',
      40,
    ]);

    const failing = createGroupCommit<number, number>({
      maxBatch: 10,
      maxRunning: 1,
      run: () => Promise.reject(new Error('connection lost')),
    });
    await expect(failing.submit(1)).rejects.toThrow('connection lost');
  });
});
