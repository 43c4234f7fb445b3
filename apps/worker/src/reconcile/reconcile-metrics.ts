import type { ReconcileMetrics } from '@openim-sync/projection';
import { Counter, Gauge, type Registry } from 'prom-client';

/** Registers the reconcile counters on the worker's registry (the names follow ../metrics). */
export function createReconcileMetrics(registry: Registry): ReconcileMetrics {
  const members = new Counter({
    name: 'openim_sync_reconcile_members_total',
    help: 'Members reconciliation changed in the projection, by change (added, removed, updated): callbacks OpenIM dropped or never sends.',
    labelNames: ['change'] as const,
    registers: [registry],
  });
  const groups = new Counter({
    name: 'openim_sync_reconcile_groups_total',
    help: 'Groups seen by reconciliation, by outcome: in-sync and repaired (both checked against OpenIM), skipped (count and hash unchanged).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  // 0 until this process first reconciles; alerts take the max of the non-zero ones over the workers.
  const lastSuccess = new Gauge({
    name: 'openim_sync_reconcile_last_success_timestamp_seconds',
    help: 'Unix time of the last group this worker reconciled or skipped as unchanged against OpenIM (0 until the first).',
    registers: [registry],
  });
  const succeeded = () => lastSuccess.set(Date.now() / 1000);
  for (const change of ['added', 'removed', 'updated']) members.labels(change).inc(0);
  for (const outcome of ['in-sync', 'repaired', 'skipped']) groups.labels(outcome).inc(0);

  return {
    observeGroup(result) {
      groups.labels(result.outcome).inc();
      members.labels('added').inc(result.added.length);
      members.labels('removed').inc(result.removed.length);
      members.labels('updated').inc(result.updated.length);
      succeeded();
    },
    observeSkipped(count) {
      groups.labels('skipped').inc(count);
      succeeded();
    },
  };
}
