import { describe, expect, it } from 'vitest';
import { createCapture, createProgress } from './output.js';

describe('progress', () => {
  it('draws nothing when stderr is not a terminal', () => {
    const err = createCapture(false);
    const progress = createProgress(err, 'read failed', 10);
    for (let done = 1; done <= 10; done++) progress.update(done);
    progress.clear();
    expect(err.text()).toBe('');
  });

  it('redraws at most every 100 ms on a terminal, and always the last step', () => {
    const err = createCapture(true);
    let now = 0;
    const progress = createProgress(err, 'retried', 1000, () => now);
    for (let done = 1; done <= 1000; done++) {
      now += 1; // 1000 updates over one second
      progress.update(done);
    }
    const draws = err.text().split('\r\x1b[K').filter(Boolean);
    expect(draws.length).toBeGreaterThanOrEqual(10);
    expect(draws.length).toBeLessThanOrEqual(12);
    expect(draws[0]).toBe('retried 1/1000');
    expect(draws.at(-1)).toBe('retried 1000/1000');
    progress.clear();
    expect(err.text().endsWith('\r\x1b[K')).toBe(true);
  });
});
