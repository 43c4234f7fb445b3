import { cachedCheck, type HotCount, hotCounter, hotHistogram, registerBuildInfo } from '@openim-sync/runtime';
import { findCommand } from '@openim-sync/schema';
import { Counter, collectDefaultMetrics, Gauge, type Registry } from 'prom-client';
import {
  type BeforeCallbackObserver,
  createBeforeCallbackMetrics,
} from './before-callbacks/before-callback-metrics.js';
import type { EnqueueResult, Producer } from './producer.js';

/**
 * What the callback handler reports about each request. Both calls are
 * synchronous and only bump pre-bound counters: nothing here may slow the
 * ack down (see docs/operating-dashboard-metrics.md for the measurement).
 */
export interface CallbackObserver {
  /** An acknowledged callback; `startedAt` is `performance.now()` when the handler began. */
  acknowledged(command: string, startedAt: number): void;
  /** A refused callback; `command` is set when the URL named a known command. */
  rejected(command: string | undefined, status: number, reason: string): void;
  /** A refused callback of a known command that was kept in the rejected stream (counted in `rejected` too). */
  kept(command: string): void;
}

/** Reads how many re-deliveries the queue refused since the last call (see admin/duplicate-counter.ts). */
export type DuplicateReader = () => Promise<number>;

/** Reads how many entries the queue's inbox and its rejected stream hold (XLEN of each); rejects when Redis cannot. */
export type InboxReader = () => Promise<{ inbox: number; rejected: number }>;

export interface IngressMetrics {
  readonly registry: Registry;
  readonly observer: CallbackObserver;
  /** Before-callback answers, App failures and App latency (before-callbacks/before-callback-metrics.ts). */
  readonly beforeCallbacks: BeforeCallbackObserver;
  /** The same producer, timing each enqueue. */
  instrumentProducer(producer: Producer): Producer;
  /** Where the duplicates counter reads from at each scrape; until set it stays at 0. */
  countDuplicates(read: DuplicateReader): void;
  /** Where the inbox gauge and redis_up read from at each scrape; until set the gauge has no series, redis_up 0. */
  countInbox(read: InboxReader): void;
  /** Where the Redis memory gauge reads from (the high-water guard’s last poll); 0 until set or while undefined. */
  readRedisMemory(read: () => number | undefined): void;
}

/** Seconds; the ack takes about a millisecond, a slow Redis up to ENQUEUE_TIMEOUT_MS. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

type Outcome = 'ack' | 'rejected' | 'unavailable';

export interface IngressMetricsDeps {
  registry: Registry;
  /** Node.js process metrics (CPU, memory, event loop, GC); tests leave them out. */
  processMetrics?: boolean;
}

/** The ingress's metrics on `registry`. Metric names are documented in docs/operating-dashboard-metrics.md. */
export function createIngressMetrics(deps: IngressMetricsDeps): IngressMetrics {
  const { registry, processMetrics = true } = deps;
  let readDuplicates: DuplicateReader | undefined;
  let readInbox: InboxReader | undefined;
  let redisMemory: (() => number | undefined) | undefined;
  if (processMetrics) collectDefaultMetrics({ register: registry });
  registerBuildInfo(registry, { app: 'ingress', moduleUrl: import.meta.url });
  const requests = hotCounter(registry, {
    name: 'openim_sync_ingress_requests_total',
    help: 'Callback requests by command (canonical name; "unknown" when the URL names none the ingress accepts) and outcome (ack, rejected, unavailable).',
    labelNames: ['command', 'outcome'] as const,
  });
  const rejects = hotCounter(registry, {
    name: 'openim_sync_ingress_rejects_total',
    help: 'Refused callback requests by reason (route, unknown-command, header, content-type, body, json, invalid-body, unavailable, ...).',
    labelNames: ['reason'] as const,
  });
  const kept = new Counter({
    name: 'openim_sync_ingress_kept_total',
    help:
      'Refused callbacks of a known command (their body fails its schema) kept in the inbox’s rejected stream ' +
      'with the reason, by command: `jobs inbox` lists them, `jobs inbox --redrive` puts them back.',
    labelNames: ['command'] as const,
    registers: [registry],
  });
  const ackDuration = hotHistogram(registry, {
    name: 'openim_sync_ingress_ack_duration_seconds',
    help: 'Time from the start of a callback request to its acknowledgement (validation and enqueue included).',
    buckets: LATENCY_BUCKETS,
  })();
  const enqueueDuration = hotHistogram(registry, {
    name: 'openim_sync_ingress_enqueue_duration_seconds',
    help: 'Time Redis took to accept a job (result="ok") or until the ingress gave up (result="error").',
    labelNames: ['result'],
    buckets: LATENCY_BUCKETS,
  });
  new Counter({
    name: 'openim_sync_ingress_duplicates_dropped_total',
    help:
      'Receipts merged with an earlier one (same command, operationID and body within CONTENT_DEDUP_SECONDS, off by ' +
      'default) or a second add of the same receipt, acknowledged but not enqueued again, by any ingress: read from the queue’s event stream at scrape time, so aggregate with max().',
    registers: [registry],
    async collect() {
      const added = readDuplicates ? await readDuplicates() : 0;
      if (added > 0) this.inc(added);
    },
  });

  // prom-client collects every metric of a scrape at once: the inbox gauge and redis_up share one read.
  const inboxRead = cachedCheck(async () => {
    if (!readInbox) return undefined;
    return readInbox().then(
      (lengths) => ({ ok: true as const, lengths }),
      () => ({ ok: false as const }),
    );
  }, 0);
  new Gauge({
    name: 'openim_sync_inbox_entries',
    help:
      'Entries in the queue’s inbox streams, read at scrape time: stream="inbox" (acknowledged, not moved into the ' +
      'queue yet), stream="rejected" (no worker could turn them into a job). The same in every ingress: max().',
    labelNames: ['stream'] as const,
    registers: [registry],
    async collect() {
      // When Redis cannot be read the last reading stays, and openim_sync_redis_up says 0.
      const read = await inboxRead();
      if (!read?.ok) return;
      this.labels('inbox').set(read.lengths.inbox);
      this.labels('rejected').set(read.lengths.rejected);
    },
  });
  new Gauge({
    name: 'openim_sync_redis_up',
    help: '1 when this process’s last read of Redis for its metrics succeeded, 0 when it failed (the queue-wide series keep their last reading then).',
    registers: [registry],
    async collect() {
      this.set((await inboxRead())?.ok ? 1 : 0);
    },
  });

  new Gauge({
    name: 'openim_sync_redis_memory_ratio',
    help:
      'Redis used_memory / maxmemory at the ingress’s last poll (about every second); callbacks get 503 ' +
      '(reason "redis-memory") from REDIS_MEMORY_HIGH_WATER on. 0 while Redis has no maxmemory or cannot be read.',
    registers: [registry],
    collect() {
      this.set(redisMemory?.() ?? 0);
    },
  });

  // Series are bound once per command, so a request costs a Map lookup and an addition.
  const byCommand = new Map<string, Record<Outcome, HotCount>>();
  const bind = (command: string) => ({
    ack: requests(command, 'ack'),
    rejected: requests(command, 'rejected'),
    unavailable: requests(command, 'unavailable'),
  });
  const unknown = bind('unknown');
  const childrenOf = (command: string | undefined) => {
    if (command === undefined) return unknown;
    let children = byCommand.get(command);
    if (!children) {
      // Only names the catalog knows get their own series (aliases fold into the canonical name): bounded labels.
      const definition = findCommand(command);
      if (!definition) return unknown;
      children = byCommand.get(definition.command) ?? bind(definition.command);
      byCommand.set(command, children);
    }
    return children;
  };
  // Reasons are constants of the handler's code, so this map stays small.
  const rejectsByReason = new Map<string, HotCount>();
  const rejectOf = (reason: string) => {
    let child = rejectsByReason.get(reason);
    if (!child) {
      child = rejects(reason);
      rejectsByReason.set(reason, child);
    }
    return child;
  };

  const observer: CallbackObserver = {
    acknowledged(command, startedAt) {
      childrenOf(command).ack.inc();
      ackDuration.observe((performance.now() - startedAt) / 1000);
    },
    rejected(command, status, reason) {
      childrenOf(command)[status === 503 ? 'unavailable' : 'rejected'].inc();
      rejectOf(reason).inc();
    },
    kept(command) {
      kept.inc({ command: findCommand(command)?.command ?? 'unknown' });
    },
  };

  return {
    registry,
    observer,
    beforeCallbacks: createBeforeCallbackMetrics(registry),
    instrumentProducer(producer) {
      const ok = enqueueDuration('ok');
      const failed = enqueueDuration('error');
      const observe = (started: number) => (result: EnqueueResult) => {
        (result.ok ? ok : failed).observe((performance.now() - started) / 1000);
        return result;
      };
      return {
        ready: () => producer.ready(),
        keep: (record, reason) => producer.keep(record, reason),
        enqueue(data, body) {
          const started = performance.now();
          // The producer never rejects: one reaction on its promise, no extra async frame.
          return producer.enqueue(data, body).then(observe(started));
        },
      };
    },
    countDuplicates(read) {
      readDuplicates = read;
    },
    countInbox(read) {
      readInbox = read;
    },
    readRedisMemory(read) {
      redisMemory = read;
    },
  };
}
