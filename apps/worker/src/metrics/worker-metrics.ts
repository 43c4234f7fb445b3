import type { CallbackJobData } from '@openim-sync/queue';
import { hotCounter, hotHistogram, registerBuildInfo } from '@openim-sync/runtime';
import { findCommand } from '@openim-sync/schema';
import type { Job } from 'bullmq';
import { Counter, collectDefaultMetrics, Gauge, type Registry } from 'prom-client';
import { SinkCircuitOpenError } from '../circuit-breaker.js';
import type { ProcessorResult } from '../processor.js';
import { PermanentSinkError, type Sink } from '../sinks/index.js';
import { isFinalFailure } from '../worker.js';

export type Processor = (job: Job<CallbackJobData>) => Promise<ProcessorResult>;

/** The worker events the job counters listen to (a BullMQ Worker has them). */
export interface JobEvents {
  on(event: 'completed', listener: (job: Job<CallbackJobData>) => void): unknown;
  on(event: 'failed', listener: (job: Job<CallbackJobData> | undefined, err: Error) => void): unknown;
}

export interface WorkerMetrics {
  readonly registry: Registry;
  /** The same sinks, counting each one's outcome per event. */
  instrumentSinks(sinks: Sink[]): Sink[];
  /** The same processor, timing each attempt and the end-to-end latency of each applied job. */
  instrumentProcessor(processor: Processor): Processor;
  /** Counts jobs completed, retried and failed for good, as BullMQ reports them. */
  observeJobs(worker: JobEvents): void;
  /** Hooks for the inbox mover: entries moved into the queue, entries rejected. */
  readonly inbox: { onMoved(count: number): void; onRejected(): void };
  /** Hook for the sink circuit breakers (createSinkBreakers' onChange). */
  circuitChanged(sink: string, open: boolean): void;
}

export interface WorkerMetricsDeps {
  registry: Registry;
  /** Node.js process metrics (CPU, memory, event loop, GC); tests leave them out. */
  processMetrics?: boolean;
}

/** Seconds. An attempt is a Postgres transaction and/or an HTTP call: milliseconds, up to FORWARD_TIMEOUT_MS. */
const ATTEMPT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds. Received → applied: milliseconds when all is well, up to hours through retries with backoff. */
const END_TO_END_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600];

/** A command label the catalog knows, so hand-made jobs cannot grow the series without bound. */
function commandLabel(name: string): string {
  return findCommand(name)?.command ?? 'unknown';
}

/** The worker's metrics on `registry`. Names and meanings: docs/operating-dashboard-metrics.md. */
export function createWorkerMetrics({ registry, processMetrics = true }: WorkerMetricsDeps): WorkerMetrics {
  if (processMetrics) collectDefaultMetrics({ register: registry });
  registerBuildInfo(registry, { app: 'worker', moduleUrl: import.meta.url });
  // Counted for every job: hot series (plain numbers, handed to prom-client at scrape time).
  const jobs = hotCounter(registry, {
    name: 'openim_sync_worker_jobs_total',
    help: 'Job attempts by command and outcome: completed, retried (failed, will run again), failed (for good: in the failed set).',
    labelNames: ['command', 'outcome'],
  });
  const inboxEntries = new Counter({
    name: 'openim_sync_worker_inbox_entries_total',
    help: 'Inbox entries this worker moved into the queue, or rejected into the inbox:rejected stream',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const sinkEvents = hotCounter(registry, {
    name: 'openim_sync_worker_sink_events_total',
    help: 'What each sink did with an event, by sink, command and outcome (applied, already-applied, forwarded, logged, skipped, error, permanent-error).',
    labelNames: ['sink', 'command', 'outcome'],
  });
  const attemptDuration = hotHistogram(registry, {
    name: 'openim_sync_worker_job_duration_seconds',
    help: 'Time one attempt of a job took in the processor (every sink), by command and result (ok, error).',
    labelNames: ['command', 'result'],
    buckets: ATTEMPT_BUCKETS,
  });
  const circuitOpen = new Gauge({
    name: 'openim_sync_sink_circuit_open',
    help: "1 while this worker's circuit breaker for the sink is open (its jobs wait, one probes it), else 0.",
    labelNames: ['sink'] as const,
    registers: [registry],
  });
  const endToEnd = hotHistogram(registry, {
    name: 'openim_sync_worker_end_to_end_seconds',
    help: 'Time from the ingress receiving a callback to its job being applied by every sink, retries included, by command.',
    labelNames: ['command'],
    buckets: END_TO_END_BUCKETS,
  });

  return {
    registry,
    instrumentSinks: (sinks) =>
      sinks.map((sink) => ({
        name: sink.name,
        close: () => sink.close(),
        async apply(event) {
          try {
            const outcome = await sink.apply(event);
            sinkEvents(sink.name, commandLabel(event.command), outcome).inc();
            return outcome;
          } catch (err) {
            const outcome = err instanceof PermanentSinkError ? 'permanent-error' : 'error';
            sinkEvents(sink.name, commandLabel(event.command), outcome).inc();
            throw err;
          }
        },
      })),
    instrumentProcessor: (processor) => async (job) => {
      const command = commandLabel(job.name);
      const started = performance.now();
      try {
        const result = await processor(job);
        const appliedAt = Date.now();
        attemptDuration(command, 'ok').observe((performance.now() - started) / 1000);
        const receivedAt = (job.data as Partial<CallbackJobData> | undefined)?.receivedAt;
        if (typeof receivedAt === 'number') endToEnd(command).observe(Math.max(0, appliedAt - receivedAt) / 1000);
        return result;
      } catch (err) {
        // A job held back by an open circuit made no attempt: it waits without counting.
        if (!(err instanceof SinkCircuitOpenError)) {
          attemptDuration(command, 'error').observe((performance.now() - started) / 1000);
        }
        throw err;
      }
    },
    circuitChanged: (sink, open) => circuitOpen.labels(sink).set(open ? 1 : 0),
    inbox: {
      onMoved: (count) => inboxEntries.labels('moved').inc(count),
      onRejected: () => inboxEntries.labels('rejected').inc(),
    },
    observeJobs(worker) {
      worker.on('completed', (job) => jobs(commandLabel(job.name), 'completed').inc());
      worker.on('failed', (job, err) => {
        // A job BullMQ fails outside an attempt (no job object) has nothing to count by.
        if (!job) return;
        jobs(commandLabel(job.name), isFinalFailure(job, err) ? 'failed' : 'retried').inc();
      });
    },
  };
}
