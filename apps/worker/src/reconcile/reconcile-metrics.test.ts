import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createReconcileMetrics } from './reconcile-metrics.js';

describe('reconcile metrics', () => {
  it('counts member changes and group outcomes, every series present from the start', async () => {
    const registry = new Registry();
    const metrics = createReconcileMetrics(registry);
    const sample = async (series: string) => {
      const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    expect(await sample('openim_sync_reconcile_members_total{change="added"}')).toBe(0);
    expect(await sample('openim_sync_reconcile_last_success_timestamp_seconds')).toBe(0);
    const before = Date.now() / 1000;
    const diff = { groupID: 'g', dismissed: false, updated: [{ userID: 'b', changes: [] }] };
    metrics.observeGroup({ ...diff, outcome: 'repaired', added: ['a', 'c'], removed: ['q'] });
    metrics.observeGroup({ ...diff, outcome: 'in-sync', added: [], removed: [], updated: [] });
    metrics.observeSkipped(3);
    expect(await sample('openim_sync_reconcile_members_total{change="added"}')).toBe(2);
    expect(await sample('openim_sync_reconcile_members_total{change="removed"}')).toBe(1);
    expect(await sample('openim_sync_reconcile_members_total{change="updated"}')).toBe(1);
    expect(await sample('openim_sync_reconcile_groups_total{outcome="repaired"}')).toBe(1);
    expect(await sample('openim_sync_reconcile_groups_total{outcome="in-sync"}')).toBe(1);
    expect(await sample('openim_sync_reconcile_groups_total{outcome="skipped"}')).toBe(3);
    const last = await sample('openim_sync_reconcile_last_success_timestamp_seconds');
    expect(last).toBeGreaterThanOrEqual(before);
    expect(last).toBeLessThanOrEqual(Date.now() / 1000);
  });
});
