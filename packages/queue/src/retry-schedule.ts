import { parseDuration } from '@openim-sync/runtime';
import { z } from 'zod';

/**
 * Waits between the attempts of a job: seconds, then minutes, then hours, as
 * webhook senders do (Svix retries over ~27 h, Stripe over 3 days). Eleven
 * retries over ~32 h, so a job outlives a day-long outage of a sink even with
 * the jitter drawing every wait short (×0.8: ~25 h). While a sink's circuit
 * breaker is open its jobs wait without spending these attempts; the schedule
 * is for what the breaker does not see (one job failing, a single probe).
 */
export const DEFAULT_RETRY_SCHEDULE = '10s,1m,5m,15m,30m,1h,2h,4h,6h,8h,10h';

/**
 * Reads a retry schedule: durations separated by commas (`10s,1m,2h`; a bare
 * number is milliseconds, see parseDuration). A string says what is wrong.
 */
export function parseRetrySchedule(text: string): number[] | string {
  const items = text.split(',').map((item) => item.trim());
  const delays: number[] = [];
  for (const item of items) {
    const value = parseDuration(item);
    if (value === undefined || value <= 0) {
      return `"${item}" is not a duration such as 10s, 5m, 2h`;
    }
    delays.push(value);
  }
  return delays;
}

/** The RETRY_SCHEDULE variable: a list of durations, as milliseconds. */
export const retryScheduleEnv = () =>
  z
    .string()
    .default(DEFAULT_RETRY_SCHEDULE)
    .transform((text, ctx) => {
      const delays = parseRetrySchedule(text);
      if (typeof delays !== 'string') return delays;
      ctx.addIssue({ code: 'custom', message: delays });
      return z.NEVER;
    });

/**
 * Wait before the retry that follows attempt number `attemptsMade` (1 after
 * the first failure): that entry of the schedule (the last one past its end),
 * scaled by a random factor in [0.8, 1.2) so that jobs which failed together
 * do not all come back together.
 */
export function retryDelay(attemptsMade: number, scheduleMs: readonly number[], random = Math.random): number {
  const index = Math.min(Math.max(0, attemptsMade - 1), scheduleMs.length - 1);
  const base = scheduleMs[index] ?? 0;
  return Math.round(base * (0.8 + 0.4 * random()));
}
