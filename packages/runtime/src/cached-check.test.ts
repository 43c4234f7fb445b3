import { describe, expect, it } from 'vitest';
import { cachedCheck } from './cached-check.js';

describe('cachedCheck', () => {
  it('runs once for concurrent callers, and answers from memory within maxAgeMs', async () => {
    let runs = 0;
    const check = cachedCheck(async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return `answer ${runs}`;
    }, 60_000);
    const answers = await Promise.all(Array.from({ length: 100 }, () => check()));
    expect(new Set(answers)).toEqual(new Set(['answer 1']));
    expect(await check()).toBe('answer 1');
    expect(runs).toBe(1);
  });

  it('runs again once the answer is older than maxAgeMs', async () => {
    let runs = 0;
    const check = cachedCheck(async () => ++runs, 0);
    expect(await check()).toBe(1);
    expect(await check()).toBe(2);
  });

  it('does not remember a failure', async () => {
    let runs = 0;
    const check = cachedCheck(async () => {
      runs += 1;
      if (runs === 1) throw new Error('redis down');
      return 'ready';
    }, 60_000);
    const failed = await Promise.allSettled([check(), check()]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(await check()).toBe('ready');
    expect(runs).toBe(2);
  });
});
