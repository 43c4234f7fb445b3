import { type Logger, withTimeout } from '@openim-sync/runtime';
import type { Job } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';

/** What the gauges read from the queue (a BullMQ Queue has both). */
export interface QueueReader {
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
  getJobs(types: string[], start?: number, end?: number, asc?: boolean): Promise<Array<Pick<Job, 'timestamp'>>>;
}

export interface QueueGaugesDeps {
  registry: Registry;
  queue: QueueReader;
  logger: Logger;
  /** How long one read of the queue serves scrapes; every worker is scraped, and Redis is shared. */
  cacheMs?: number;
  /** Longest wait for one read, well inside Prometheus's scrape timeout (10 s by default). */
  timeoutMs?: number;
  now?: () => number;
}

export const QUEUE_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'paused',
  'completed',
  'failed',
] as const;

interface Snapshot {
  counts: Record<string, number>;
  /** When the job next in line was added (ms since the epoch), if any is waiting. */
  oldestWaitingAt: number | undefined;
}

/**
 * Queue depth and the age of the oldest waiting job, read from Redis when
 * Prometheus scrapes (never on a timer), at most once per `cacheMs` however
 * often it scrapes. The queue is shared, so every worker reports the same
 * values: aggregate them with max(), not sum(). When Redis cannot be read,
 * they keep their last reading (none before the first) rather than read NaN,
 * and `openim_sync_redis_up` says 0, so nothing stale passes unnoticed.
 */
export function registerQueueGauges(deps: QueueGaugesDeps) {
  const { registry, queue, logger, cacheMs = 5000, timeoutMs = 2000, now = Date.now } = deps;
  let cached: { at: number; snapshot: Promise<Snapshot | undefined> } | undefined;

  async function read(): Promise<Snapshot | undefined> {
    try {
      // BullMQ pushes new jobs on the left of the wait list and takes from the right:
      // ascending order's first is the job next in line, i.e. the oldest.
      const reads = Promise.all([queue.getJobCounts(...QUEUE_STATES), queue.getJobs(['wait'], 0, 0, true)]);
      // BullMQ waits for a connection that never came up without failing: bound it here.
      const [counts, [next]] = await withTimeout(reads, timeoutMs, 'no answer from Redis');
      return { counts, oldestWaitingAt: next?.timestamp };
    } catch (err) {
      logger.warn({ err }, 'cannot read the queue for metrics');
      return undefined;
    }
  }

  function snapshot(): Promise<Snapshot | undefined> {
    const at = now();
    if (!cached || at - cached.at >= cacheMs) cached = { at, snapshot: read() };
    return cached.snapshot;
  }

  new Gauge({
    name: 'openim_sync_queue_jobs',
    help: 'Jobs in the callback queue by state (read at most every few seconds; the same in every worker).',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const current = await snapshot();
      if (!current) return;
      for (const state of QUEUE_STATES) this.labels(state).set(current.counts[state] ?? 0);
    },
  });
  new Gauge({
    name: 'openim_sync_queue_oldest_waiting_age_seconds',
    help: 'Age of the job next in line (since it was first enqueued); 0 when none is waiting.',
    registers: [registry],
    async collect() {
      const current = await snapshot();
      if (!current) return;
      const at = current.oldestWaitingAt;
      this.set(at === undefined ? 0 : Math.max(0, now() - at) / 1000);
    },
  });
  new Gauge({
    name: 'openim_sync_redis_up',
    help: '1 when this process’s last read of Redis for its metrics succeeded, 0 when it failed (the queue-wide series are missing then).',
    registers: [registry],
    async collect() {
      this.set((await snapshot()) ? 1 : 0);
    },
  });
}
