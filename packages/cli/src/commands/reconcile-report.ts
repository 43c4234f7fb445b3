import type { FieldChange, GroupReconcileResult } from '@openim-sync/projection';

const show = (value: FieldChange['from'], field: FieldChange['field']) => {
  if (value === null) return 'null';
  if (field === 'joinedAt' && typeof value === 'number') return new Date(value / 1000).toISOString();
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
};

/** What differed in one group, for people: a headline, then `+` added, `-` removed, `~` updated members. */
export function groupReport(result: GroupReconcileResult): string[] {
  const { groupID, added, removed, updated, dismissed } = result;
  if (result.outcome === 'in-sync') return [`group ${groupID}: in sync`];
  const headline = dismissed
    ? `group ${groupID}: dismissed or unknown in OpenIM, ${removed.length} removed`
    : `group ${groupID}: ${added.length} added, ${removed.length} removed, ${updated.length} updated`;
  return [
    headline,
    ...added.map((userID) => `  + ${userID}`),
    ...removed.map((userID) => `  - ${userID}`),
    ...updated.map(
      ({ userID, changes }) =>
        `  ~ ${userID}  ${changes.map((c) => `${c.field} ${show(c.from, c.field)} → ${show(c.to, c.field)}`).join(', ')}`,
    ),
  ];
}

export interface ReconcileTotals {
  groups: number;
  repaired: number;
  added: number;
  removed: number;
  updated: number;
  dismissed: number;
  failed: number;
}

export function emptyTotals(): ReconcileTotals {
  return { groups: 0, repaired: 0, added: 0, removed: 0, updated: 0, dismissed: 0, failed: 0 };
}

export function addToTotals(totals: ReconcileTotals, result: GroupReconcileResult): void {
  totals.groups++;
  if (result.outcome === 'repaired') totals.repaired++;
  totals.added += result.added.length;
  totals.removed += result.removed.length;
  totals.updated += result.updated.length;
  if (result.dismissed) totals.dismissed++;
}

/** The closing line: how much differed, and whether it was applied. */
export function summary(totals: ReconcileTotals, dryRun: boolean): string {
  const groups = `${totals.groups} group${totals.groups === 1 ? '' : 's'}`;
  const members = `${totals.added} added, ${totals.removed} removed, ${totals.updated} updated`;
  const dismissed = totals.dismissed > 0 ? `, ${totals.dismissed} dismissed` : '';
  const failed = totals.failed > 0 ? `; ${totals.failed} failed` : '';
  const verb = dryRun ? 'would repair' : 'repaired';
  const note = dryRun ? ' (dry run: nothing changed)' : '';
  return `checked ${groups}: ${verb} ${totals.repaired} (${members}${dismissed})${failed}${note}`;
}
