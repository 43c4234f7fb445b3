import { Counter, type Registry } from 'prom-client';

/**
 * Metrics for hot paths (the ingress's callbacks, the worker's jobs).
 * prom-client's `inc()` and `observe()` turn the label values into a string
 * key on every call, bound children included (measured 0.4–0.8 µs and a
 * little garbage each); these only add to numbers that belong to one label
 * set, and hand them to the registry when Prometheus scrapes. Everything
 * else stays plain prom-client.
 */

/** One counter series: `inc()` adds to a number; the scrape moves it into prom-client. */
export interface HotCount {
  inc(): void;
}

/** A prom-client counter whose bound series count on the hot path and settle at scrape time. */
export function hotCounter<L extends string>(
  registry: Registry,
  config: { name: string; help: string; labelNames: readonly L[] },
) {
  const pending: Array<{ count: number; flush: (n: number) => void }> = [];
  const counter: Counter<L> = new Counter({
    ...config,
    registers: [registry],
    collect() {
      for (const series of pending) {
        if (series.count === 0) continue;
        series.flush(series.count);
        series.count = 0;
      }
    },
  });
  /** The series for these label values, in `labelNames` order; the same object for the same values. */
  return bindOnce((values): HotCount => {
    const child = counter.labels(...values);
    const series = { count: 0, flush: (n: number) => child.inc(n) };
    pending.push(series);
    return {
      inc: () => {
        series.count++;
      },
    };
  });
}

/** Binds each distinct list of label values once (a second series would be a duplicate in the scrape). */
function bindOnce<T>(bind: (values: string[]) => T): (...values: string[]) => T {
  const bound = new Map<string, T>();
  return (...values) => {
    const key = values.join('\u0000');
    let series = bound.get(key);
    if (series === undefined) {
      series = bind(values);
      bound.set(key, series);
    }
    return series;
  };
}

/** One histogram series. */
export interface HotObserve {
  observe(value: number): void;
}

/** One sample line as the registry formats it. */
type Row = { metricName: string; labels: Record<string, string | number>; value: number };

/**
 * A histogram registered as a custom metric: each series keeps its bucket
 * counts in a typed array, and the registry formats them at scrape time
 * exactly as prom-client's own histograms are formatted.
 */
export function hotHistogram(
  registry: Registry,
  config: { name: string; help: string; buckets: readonly number[]; labelNames?: readonly string[] },
) {
  const { name, help, buckets, labelNames = [] } = config;
  const series: Array<{ labels: Record<string, string>; counts: Float64Array; sum: number; count: number }> = [];
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    async get() {
      // `le` first, as prom-client writes it, so scrapes are byte-for-byte alike.
      const values = series.flatMap(({ labels, counts, sum, count }) => {
        let cumulative = 0;
        const rows: Row[] = buckets.map((le, i) => {
          cumulative += counts[i] ?? 0;
          return { metricName: `${name}_bucket`, labels: { le, ...labels }, value: cumulative };
        });
        rows.push({
          metricName: `${name}_bucket`,
          labels: { le: '+Inf', ...labels },
          value: count,
        });
        return [
          ...rows,
          { metricName: `${name}_sum`, labels, value: sum },
          { metricName: `${name}_count`, labels, value: count },
        ];
      });
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
    reset() {
      for (const s of series) {
        s.counts.fill(0);
        s.sum = 0;
        s.count = 0;
      }
    },
  };
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  /** The series for these label values, in `labelNames` order; the same object for the same values. */
  return bindOnce((values): HotObserve => {
    const labels = Object.fromEntries(labelNames.map((label, i) => [label, values[i] ?? '']));
    const s = { labels, counts: new Float64Array(buckets.length), sum: 0, count: 0 };
    series.push(s);
    return {
      observe(value) {
        let i = 0;
        while (i < buckets.length && value > (buckets[i] as number)) i++;
        if (i < buckets.length) s.counts[i]! += 1;
        s.sum += value;
        s.count++;
      },
    };
  });
}
