import { describe, expect, it } from 'vitest';
import { ALL_USERS_LOCK_KEY, groupLockKey, LockSet, MEMBER_LOCK_BUDGET, userLockKey } from './projection-locks.js';

function lockSet(members: Record<string, number>) {
  const locks = new LockSet();
  for (const [groupID, n] of Object.entries(members)) {
    locks.key(groupLockKey(groupID), false);
    locks.members(
      groupID,
      Array.from({ length: n }, (_, i) => `u${i}`),
    );
  }
  return locks;
}

describe('LockSet.escalate', () => {
  it('keeps per-member locks within the budget, every group shared', () => {
    const locks = lockSet({ a: 30, b: 30, c: 4 });
    locks.escalate(64);
    expect(locks.memberGroups).toHaveLength(64);
    expect(['a', 'b', 'c'].map((g) => locks.exclusive(groupLockKey(g)))).toEqual([false, false, false]);
  });

  it('locks the biggest groups whole until the rest fits, keeping the others’ member locks in order', () => {
    const locks = lockSet({ small: 3, big: 20_000, mid: 70, tiny: 1 });
    locks.escalate(64);
    expect(locks.exclusive(groupLockKey('big'))).toBe(true);
    expect(locks.exclusive(groupLockKey('mid'))).toBe(true);
    expect(locks.exclusive(groupLockKey('small'))).toBe(false);
    expect(locks.memberGroups).toEqual(['small', 'small', 'small', 'tiny']);
    expect(locks.memberUsers).toEqual(['u0', 'u1', 'u2', 'u0']);
  });

  it('leaves a group that was exclusive before exclusive', () => {
    const locks = lockSet({ g: 2 });
    locks.key(groupLockKey('g'), true);
    locks.escalate(0);
    expect(locks.exclusive(groupLockKey('g'))).toBe(true);
    expect(locks.memberGroups).toEqual([]);
  });

  it('fits a full batch of single joins (POSTGRES_BATCH_MAX 64) without escalating', () => {
    const locks = lockSet(Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`g${i}`, 1])));
    locks.escalate(MEMBER_LOCK_BUDGET);
    expect(locks.memberGroups).toHaveLength(64);
  });
});

describe('LockSet.escalate, users', () => {
  const withUsers = (n: number) => {
    const locks = new LockSet();
    locks.key(ALL_USERS_LOCK_KEY, false);
    for (let i = 0; i < n; i++) locks.key(userLockKey(`u${i}`), true);
    return locks;
  };

  it('keeps one lock per user within the budget, all users shared', () => {
    const locks = withUsers(64);
    locks.escalate(MEMBER_LOCK_BUDGET);
    expect(locks.keys.size).toBe(65);
    expect(locks.exclusive(ALL_USERS_LOCK_KEY)).toBe(false);
  });

  it('locks all users at once past the budget', () => {
    const locks = withUsers(20_000);
    locks.key(groupLockKey('g'), false);
    locks.escalate(MEMBER_LOCK_BUDGET);
    expect([...locks.keys]).toEqual([
      [ALL_USERS_LOCK_KEY, true],
      [groupLockKey('g'), false],
    ]);
  });
});
