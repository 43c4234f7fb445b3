import { describe, expect, it } from 'vitest';
import { withTimeout } from './with-timeout.js';

describe('withTimeout', () => {
  it('passes a settled answer on, value or error', async () => {
    await expect(withTimeout(Promise.resolve('PONG'), 1000)).resolves.toBe('PONG');
    await expect(withTimeout(Promise.reject(new Error('down')), 1000)).rejects.toThrow('down');
  });

  it('gives up on a promise that never settles, saying after how long', async () => {
    const started = performance.now();
    await expect(withTimeout(new Promise(() => {}), 50, 'no answer from Redis')).rejects.toThrow(
      'no answer from Redis within 50 ms',
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
