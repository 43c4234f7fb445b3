import { describe, expect, it } from 'vitest';
import { originalJobId, replayJobId } from './replay.js';

describe('replay ids', () => {
  it('are new ids that name the original and the replay run', () => {
    expect(replayJobId('h-AbC_d-9', 1_795_600_000_000)).toBe('r-h-AbC_d-9-1795600000000');
    expect(replayJobId('u-0f1e-22', 5)).toBe('r-u-0f1e-22-5');
  });

  it('name a replay of a replay after the original', () => {
    const first = replayJobId('h-AbC-12', 100);
    expect(originalJobId(first)).toBe('h-AbC-12');
    expect(replayJobId(first, 200)).toBe('r-h-AbC-12-200');
  });

  it('leave ids that are no replays alone', () => {
    expect(originalJobId('h-r-1')).toBe('h-r-1');
    expect(originalJobId('r-')).toBe('r-');
  });

  it('contain no ":" (BullMQ refuses it in custom ids)', () => {
    expect(replayJobId('h-x', 1)).not.toContain(':');
  });
});
