// The targets each run is read against: a figure, its threshold and whether it holds.
// Ratios compare a figure with its baseline from the same rounds (see docs/PERFORMANCE.md).

const TARGETS = [
  {
    name: 'ingress ≥ 85 % of bare node:http',
    figure: (r) => r.ingress?.ratios.ingressVsBareHttp,
    holds: (x) => x >= 0.85,
    unit: 'ratio',
  },
  {
    name: 'ack p99 ≤ 10 ms at 1,000 req/s',
    figure: (r) => r.ingress?.fixedRate1000.ingress?.p99,
    holds: (x) => x <= 10,
    unit: 'ms',
  },
  {
    name: 'worker fed through the inbox ≥ 80 % of it fed jobs directly',
    figure: (r) => r.worker?.ratios.inboxVsNoop64,
    holds: (x) => x >= 0.8,
    unit: 'ratio',
  },
  ...[8, 64].map((concurrency) => ({
    name: `noop worker ≥ 80 % of a bare BullMQ worker (concurrency ${concurrency})`,
    figure: (r) => r.worker?.ratios[`noopVsBare${concurrency}`],
    holds: (x) => x >= 0.8,
    unit: 'ratio',
  })),
  {
    name: 'postgres sink ≥ 1,000 jobs/s (concurrency 32)',
    figure: (r) => r.worker?.drains['postgres@32']?.jobsPerSecond,
    holds: (x) => x >= 1000,
    unit: 'jobs/s',
  },
];

/** Each target this run measured: its figure and whether it holds. */
export function readTargets(results) {
  return TARGETS.flatMap(({ name, figure, holds, unit }) => {
    const value = figure(results);
    return typeof value === 'number' ? [{ name, value, unit, met: holds(value) }] : [];
  });
}
