import type { ReconcileMetrics } from '@openim-sync/projection';
import { Counter, type Registry } from 'prom-client';

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
  for (const change of ['added', 'removed', 'updated']) members.labels(change).inc(0);
  for (const outcome of ['in-sync', 'repaired', 'skipped']) groups.labels(outcome).inc(0);

  return {
    observeGroup(result) {
      groups.labels(result.outcome).inc();
      members.labels('added').inc(result.added.length);
      members.labels('removed').inc(result.removed.length);
      members.labels('updated').inc(result.updated.length);
    },
    observeSkipped(count) {
      groups.labels('skipped').inc(count);
    },
  };
}
