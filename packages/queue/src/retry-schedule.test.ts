import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule, retryDelay } from './retry-schedule.js';
import { queueEnv, toQueueSettings } from './settings.js';

const HOUR = 3_600_000;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('parseRetrySchedule', () => {
  it('reads durations with units, separated by commas', () => {
    expect(parseRetrySchedule('10s, 1m,2h,1d')).toEqual([10_000, 60_000, 2 * HOUR, 24 * HOUR]);
    expect(parseRetrySchedule('250ms,1.5s')).toEqual([250, 1500]);
    expect(parseRetrySchedule('500')).toEqual([500]);
  });

  it('says which entry is not a duration', () => {
    expect(parseRetrySchedule('10s,soon,1h')).toBe('"soon" is not a duration such as 10s, 5m, 2h');
    expect(parseRetrySchedule('10s,,1h')).toMatch(/^"" is not a duration/);
    expect(parseRetrySchedule('0s')).toMatch(/^"0s" is not a duration/);
    expect(parseRetrySchedule('-5m')).toMatch(/^"-5m" is not a duration/);
  });

  it('covers more than a day by default, even with every wait drawn short', () => {
    const schedule = parseRetrySchedule(DEFAULT_RETRY_SCHEDULE) as number[];
    expect(schedule[0]).toBe(10_000);
    expect(sum(schedule)).toBeGreaterThan(30 * HOUR);
    const shortest = schedule.map((_, i) => retryDelay(i + 1, schedule, () => 0));
    expect(sum(shortest)).toBeGreaterThan(24 * HOUR);
  });
});

describe('RETRY_SCHEDULE', () => {
  const parse = (source: Record<string, string>) => toQueueSettings(z.object(queueEnv).parse(source));

  it('gives one attempt more than it has waits', () => {
    expect(parse({})).toMatchObject({ attempts: 12 });
    expect(parse({ RETRY_SCHEDULE: '1s,2s' })).toMatchObject({ attempts: 3, retryScheduleMs: [1000, 2000] });
  });

  it('is refused with the reason when an entry is not a duration', () => {
    const result = z.object(queueEnv).safeParse({ RETRY_SCHEDULE: '1s,later' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ['RETRY_SCHEDULE'],
      message: expect.stringContaining('later'),
    });
  });
});

describe('retryDelay', () => {
  const schedule = [1000, 60_000, HOUR];

  it('waits the schedule entry of the retry, jittered between 0.8x and 1.2x', () => {
    expect(retryDelay(1, schedule, () => 0)).toBe(800);
    expect(retryDelay(1, schedule, () => 0.5)).toBe(1000);
    expect(retryDelay(2, schedule, () => 0.5)).toBe(60_000);
    expect(retryDelay(3, schedule, () => 0.999_999)).toBeCloseTo(HOUR * 1.2, -1);
  });

  it('keeps the last wait past the end of the schedule', () => {
    expect(retryDelay(9, schedule, () => 0.5)).toBe(HOUR);
  });
});
