import type { GroupReconcileResult } from '@openim-sync/projection';
import { describe, expect, it } from 'vitest';
import { addToTotals, emptyTotals, groupReport, summary } from './reconcile-report.js';

const base = { groupID: 'g1', added: [], removed: [], updated: [], dismissed: false, readAt: 0 };

describe('reconcile report', () => {
  it('lists added, removed and updated members with their changed fields', () => {
    const joinedAt = Date.UTC(2026, 10, 25, 10) * 1000;
    const result: GroupReconcileResult = {
      ...base,
      outcome: 'repaired',
      added: ['inv'],
      removed: ['q'],
      updated: [
        { userID: 'a', changes: [{ field: 'roleLevel', from: 60, to: 20 }] },
        {
          userID: 'b',
          changes: [
            { field: 'nickname', from: null, to: 'Bob' },
            { field: 'joinedAt', from: 0, to: joinedAt },
          ],
        },
      ],
    };
    expect(groupReport(result)).toEqual([
      'group g1: 1 added, 1 removed, 2 updated',
      '  + inv',
      '  - q',
      '  ~ a  roleLevel 60 → 20',
      '  ~ b  nickname null → "Bob", joinedAt 1970-01-01T00:00:00.000Z → 2026-11-25T10:00:00.000Z',
    ]);
    expect(groupReport({ ...base, outcome: 'repaired', dismissed: true, removed: ['x'] })[0]).toBe(
      'group g1: dismissed or unknown in OpenIM, 1 removed',
    );
    expect(groupReport({ ...base, outcome: 'in-sync' })).toEqual(['group g1: in sync']);
  });

  it('sums up, saying whether anything was changed', () => {
    const totals = emptyTotals();
    addToTotals(totals, { ...base, outcome: 'repaired', added: ['a', 'b'], dismissed: true });
    addToTotals(totals, { ...base, outcome: 'in-sync' });
    expect(summary(totals, true)).toBe(
      'checked 2 groups: would repair 1 (2 added, 0 removed, 0 updated, 1 dismissed) (dry run: nothing changed)',
    );
    totals.failed = 1;
    expect(summary(totals, false)).toBe(
      'checked 2 groups: repaired 1 (2 added, 0 removed, 0 updated, 1 dismissed); 1 failed',
    );
  });
});
