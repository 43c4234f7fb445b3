import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { hotCounter, hotHistogram } from './hot-metrics.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const VALUES = [0.0005, 0.001, 0.002, 0.05, 0.5, 3, 0.01];

/** The Prometheus text of a registry without its HELP/TYPE lines' order mattering. */
async function lines(registry: Registry) {
  return (await registry.metrics()).split('\n').filter(Boolean).sort();
}

describe('hot metrics', () => {
  it('formats a histogram exactly as prom-client does', async () => {
    const hot = new Registry();
    const reference = new Registry();
    const series = hotHistogram(hot, { name: 'h_seconds', help: 'help', buckets: BUCKETS, labelNames: ['result'] });
    const [ok, error] = [series('ok'), series('error')];
    const histogram = new Histogram({
      name: 'h_seconds',
      help: 'help',
      buckets: BUCKETS,
      labelNames: ['result'],
      registers: [reference],
    });
    for (const value of VALUES) {
      ok.observe(value);
      histogram.labels('ok').observe(value);
    }
    error.observe(2);
    histogram.labels('error').observe(2);
    expect(await lines(hot)).toEqual(await lines(reference));
  });

  it('formats an unlabelled histogram, and resets', async () => {
    const hot = new Registry();
    const reference = new Registry();
    const observe = hotHistogram(hot, { name: 'h', help: 'help', buckets: BUCKETS })();
    const histogram = new Histogram({ name: 'h', help: 'help', buckets: BUCKETS, registers: [reference] });
    for (const value of VALUES) {
      observe.observe(value);
      histogram.observe(value);
    }
    expect(await lines(hot)).toEqual(await lines(reference));
    hot.resetMetrics();
    expect(await hot.metrics()).toMatch(/^h_count 0$/m);
  });

  it('settles counter series at scrape time, as prom-client counters', async () => {
    const hot = new Registry();
    const reference = new Registry();
    const series = hotCounter(hot, { name: 'c_total', help: 'help', labelNames: ['command', 'outcome'] as const });
    const counter = new Counter({
      name: 'c_total',
      help: 'help',
      labelNames: ['command', 'outcome'],
      registers: [reference],
    });
    const ack = series('a', 'ack');
    series('a', 'rejected'); // bound but never counted: a 0 series, as prom-client's labels() makes
    counter.labels('a', 'rejected');
    for (let i = 0; i < 3; i++) {
      ack.inc();
      counter.labels('a', 'ack').inc();
    }
    expect(await lines(hot)).toEqual(await lines(reference));
    ack.inc();
    counter.labels('a', 'ack').inc();
    expect(await lines(hot)).toEqual(await lines(reference));
  });
});
