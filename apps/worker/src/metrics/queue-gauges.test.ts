import { createLogger } from '@openim-sync/runtime';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { type QueueReader, registerQueueGauges } from './queue-gauges.js';

const logger = createLogger({ name: 'test', level: 'silent' });

function setup(reader: Partial<QueueReader> = {}, timeoutMs?: number) {
  const clock = { now: 1_000_000 };
  const calls = { counts: 0, jobs: 0 };
  const state = { failing: false, waiting: 4, oldest: 940_000 as number | undefined };
  const queue: QueueReader = {
    async getJobCounts(...types) {
      calls.counts++;
      if (state.failing) throw new Error('Connection is closed.');
      return Object.fromEntries(types.map((t) => [t, t === 'waiting' ? state.waiting : 1]));
    },
    async getJobs() {
      calls.jobs++;
      return state.oldest === undefined ? [] : [{ timestamp: state.oldest }];
    },
    ...reader,
  };
  const registry = new Registry();
  registerQueueGauges({ registry, queue, logger, cacheMs: 5000, timeoutMs, now: () => clock.now });
  const scrape = async () => {
    const text = await registry.metrics();
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    return {
      waiting: value('openim_sync_queue_jobs{state="waiting"}'),
      age: value('openim_sync_queue_oldest_waiting_age_seconds'),
      up: value('openim_sync_redis_up'),
      nan: text.includes('NaN'),
    };
  };
  return { clock, calls, state, scrape };
}

describe('queue gauges', () => {
  it('reads depth and the oldest waiting job’s age on scrape', async () => {
    const { scrape } = setup();
    expect(await scrape()).toEqual({ waiting: 4, age: 60, up: 1, nan: false });
  });

  it('reads Redis at most once per cache period, however often it is scraped', async () => {
    const { clock, calls, state, scrape } = setup();
    await scrape();
    state.waiting = 9;
    clock.now += 4999;
    expect((await scrape()).waiting).toBe(4);
    expect(calls).toEqual({ counts: 1, jobs: 1 });
    clock.now += 1;
    expect((await scrape()).waiting).toBe(9);
    expect(calls).toEqual({ counts: 2, jobs: 2 });
  });

  it('reports age 0 with nothing waiting; when Redis fails, the last reading, Redis down and no NaN', async () => {
    const { clock, state, scrape } = setup();
    state.oldest = undefined;
    expect(await scrape()).toEqual({ waiting: 4, age: 0, up: 1, nan: false });
    state.failing = true;
    state.waiting = 7;
    clock.now += 10_000;
    expect(await scrape()).toEqual({ waiting: 4, age: 0, up: 0, nan: false });
    state.failing = false;
    clock.now += 10_000;
    expect(await scrape()).toEqual({ waiting: 7, age: 0, up: 1, nan: false });
  });

  it('has no queue series before the first successful read, and gives up on a read that hangs', async () => {
    const never = new Promise<never>(() => {});
    const { scrape } = setup({ getJobCounts: () => never }, 100);
    const started = performance.now();
    expect(await scrape()).toEqual({ waiting: undefined, age: 0, up: 0, nan: false });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
