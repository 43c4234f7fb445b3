import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { retryUntilReady } from './retry.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** An attempt that throws each of `failures` in turn, then resolves 'ready'. */
function failing(...failures: unknown[]) {
  let calls = 0;
  const attempt = vi.fn(async () => {
    const failure = failures[calls++];
    if (calls <= failures.length) throw failure;
    return 'ready';
  });
  return attempt;
}

describe('retryUntilReady', () => {
  it('waits 250 ms, doubling up to maxDelayMs, and hands each error and wait to onError', async () => {
    const errors = [new Error('a'), new Error('b'), new Error('c'), new Error('d')];
    const attempt = failing(...errors);
    const onError = vi.fn();
    const ready = retryUntilReady(attempt, { onError, maxDelayMs: 800 });
    await vi.advanceTimersByTimeAsync(250 + 500 + 800 - 1);
    expect(attempt).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempt).toHaveBeenCalledTimes(4);
    await vi.advanceTimersByTimeAsync(800);
    await expect(ready).resolves.toBe('ready');
    expect(onError.mock.calls).toEqual([
      [errors[0], 250],
      [errors[1], 500],
      [errors[2], 800],
      [errors[3], 800],
    ]);
  });

  it('keeps trying whatever the attempt throws: a TypeError, a string', async () => {
    const bug = new TypeError('x is not a function');
    const onError = vi.fn();
    const ready = retryUntilReady(failing(bug, 'down'), { onError });
    await vi.advanceTimersByTimeAsync(750);
    await expect(ready).resolves.toBe('ready');
    expect(onError.mock.calls).toEqual([
      [bug, 250],
      ['down', 500],
    ]);
  });

  it('never stops on its own, and stops with the reason once the signal aborts, mid-wait', async () => {
    const controller = new AbortController();
    const attempt = vi.fn(async () => {
      throw new Error('still down');
    });
    const ready = retryUntilReady(attempt, { onError: () => {}, signal: controller.signal, maxDelayMs: 1000 });
    const outcome = ready.catch((err: unknown) => err);
    await vi.advanceTimersByTimeAsync(60_000);
    const calls = attempt.mock.calls.length;
    expect(calls).toBeGreaterThan(60);
    controller.abort(new Error('shutting down'));
    expect(await outcome).toEqual(new Error('shutting down'));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(attempt).toHaveBeenCalledTimes(calls);
  });

  it('does not start once the signal has aborted', async () => {
    const attempt = vi.fn(async () => 'ready');
    const signal = AbortSignal.abort(new Error('gone'));
    await expect(retryUntilReady(attempt, { onError: () => {}, signal })).rejects.toThrow('gone');
    expect(attempt).not.toHaveBeenCalled();
  });
});
