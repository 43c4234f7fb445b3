import { expect, vi } from 'vitest';
import type { Delivery } from '../e2e/forward-receiver.js';
import { expectedMembers, type MemberRow, sortRows } from '../e2e/membership-model.js';
import type { Callback } from '../e2e/workload.js';
import type { Stack, Workload } from './harness.js';
import type { Ledger } from './load.js';
import { logLines } from './process-log.js';

export interface EffectCounts {
  /** Jobs in Redis at the end (completed + failed). */
  jobs: number;
  completed: number;
  failed: number;
  /** Rows of applied_events. */
  applied: number;
  /** Applied callbacks that OpenIM was not told were accepted (503 or a cut connection after Redis stored the job). */
  appliedNotAcked: number;
  /** Jobs that ran more than once to succeed (attemptsMade > 1). */
  retriedJobs: number;
  maxAttemptsMade: number;
  /** Requests the forward target received, and how many of them were repeats of an event. */
  deliveries: number;
  repeatedDeliveries: number;
}

/**
 * The end-state checks of every fault test:
 * - every acknowledged callback's job id is in applied_events, and nothing
 *   there is foreign (the only extras allowed are callbacks that were sent
 *   but not acknowledged, whose job Redis had stored anyway);
 * - group_members equals the in-send-order model of the applied callbacks;
 * - Redis holds one finished job per applied event, failed exactly for `poison`;
 * - the forward target got each applied event (a 200; the poison ones one 422),
 *   always with Idempotency-Key = body.id = the job id, and nothing else.
 */
export async function checkEffects(
  stack: Stack,
  workload: Workload,
  ledger: Ledger,
  poison: ReadonlySet<string> = new Set(),
  /** False when the test keeps only the newest completed jobs (KEEP_COMPLETED_COUNT): those must still be applied ones. */
  allCompletedKept = true,
): Promise<EffectCounts> {
  const sent = new Map(ledger.records.map((r) => [workload.jobIdOf(r.callback), r]));
  const ackedIds = ledger.acked().map(workload.jobIdOf);
  const rows = await stack.schema.rows<{ event_id: string }>('SELECT event_id FROM $schema.applied_events');
  const applied = new Set(rows.map((r) => r.event_id));

  expect(
    ackedIds.filter((id) => !applied.has(id)),
    'acknowledged but not applied',
  ).toEqual([]);
  expect(
    [...applied].filter((id) => !sent.has(id)),
    'applied but never sent',
  ).toEqual([]);

  const appliedCallbacks = workload.all.filter((c) => applied.has(workload.jobIdOf(c)));
  const members = await stack.schema.rows<{ group_id: string; user_id: string; role_level: number; nickname: string }>(
    'SELECT group_id, user_id, role_level, nickname FROM $schema.group_members',
  );
  const actual: MemberRow[] = members.map((r) => ({
    groupID: r.group_id,
    userID: r.user_id,
    roleLevel: r.role_level,
    nickname: r.nickname,
  }));
  expect(sortRows(actual), `group_members (seed ${workload.seed})`).toEqual(
    expectedMembers(appliedCallbacks.map((c) => c.op)),
  );

  const [completed, failed] = await Promise.all([stack.queue.getCompleted(0, -1), stack.queue.getFailed(0, -1)]);
  const poisonIds = appliedCallbacks.filter((c) => poison.has(c.operationID)).map(workload.jobIdOf);
  expect(new Set(failed.map((j) => j.id)), 'failed jobs').toEqual(new Set(poisonIds));
  const expectedCompleted = new Set([...applied].filter((id) => !poisonIds.includes(id)));
  const completedIds = completed.map((j) => j.id as string);
  const notApplied = completedIds.filter((id) => !expectedCompleted.has(id));
  if (allCompletedKept) expect(new Set(completedIds), 'completed jobs').toEqual(expectedCompleted);
  else expect(notApplied, 'completed but not applied').toEqual([]);

  checkDeliveries(stack.receiver.deliveries, workload, appliedCallbacks, new Set(sent.keys()), poison);
  const attempts = completed.map((j) => j.attemptsMade);
  const deliveredIds = new Set(stack.receiver.deliveries.map((d) => d.body.id));
  return {
    jobs: completed.length + failed.length,
    completed: completed.length,
    failed: failed.length,
    applied: applied.size,
    appliedNotAcked: applied.size - ackedIds.length,
    retriedJobs: attempts.filter((n) => n > 1).length,
    maxAttemptsMade: Math.max(0, ...attempts),
    deliveries: stack.receiver.deliveries.length,
    repeatedDeliveries: stack.receiver.deliveries.length - deliveredIds.size,
  };
}

function checkDeliveries(
  deliveries: Delivery[],
  workload: Workload,
  appliedCallbacks: Callback[],
  sentIds: Set<string>,
  poison: ReadonlySet<string>,
): void {
  const byId = new Map<string, Delivery[]>();
  for (const d of deliveries) byId.set(d.body.id, [...(byId.get(d.body.id) ?? []), d]);
  const problems: string[] = [];
  for (const d of deliveries) {
    if (d.idempotencyKey !== d.body.id) problems.push(`${d.body.id}: Idempotency-Key ${d.idempotencyKey}`);
    if (!sentIds.has(d.body.id)) problems.push(`${d.body.id}: delivered but never sent`);
  }
  for (const callback of appliedCallbacks) {
    const id = workload.jobIdOf(callback);
    const got = byId.get(id) ?? [];
    byId.delete(id);
    const statuses = got.map((d) => d.status);
    const where = `${callback.operationID} (${id})`;
    if (got.some((d) => d.body.operationID !== callback.operationID || d.body.command !== callback.command)) {
      problems.push(`${where}: delivered with another operationID or command`);
    }
    if (poison.has(callback.operationID)) {
      if (statuses.join() !== '422') problems.push(`${where}: poison answered ${statuses}, expected one 422`);
    } else if (!statuses.includes(200)) {
      problems.push(`${where}: never acknowledged by the target (answers: ${statuses.join() || 'none'})`);
    }
  }
  // A delivery implies a committed Postgres transaction (the postgres sink runs first).
  for (const id of byId.keys()) problems.push(`${id}: delivered but not in applied_events`);
  expect(problems.slice(0, 20), `${problems.length} delivery problems`).toEqual([]);
}

/**
 * Waits until no job is waiting, active or delayed and every acknowledged
 * callback is in applied_events. Returns how long that took.
 */
export async function waitForDrain(stack: Stack, workload: Workload, ledger: Ledger, timeoutMs = 90_000) {
  const started = Date.now();
  const acked = ledger.acked().map(workload.jobIdOf);
  await vi.waitFor(
    async () => {
      const counts = await stack.queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
      const applied = new Set(await appliedIds(stack));
      const missing = acked.filter((id) => !applied.has(id)).length;
      expect({ ...counts, missing }).toEqual({ wait: 0, active: 0, delayed: 0, prioritized: 0, missing: 0 });
    },
    { timeout: timeoutMs, interval: 500 },
  );
  return Date.now() - started;
}

/** Failed attempts that the workers will retry, by reason (the error, numbers and bodies left out). */
export function retryReasons(stack: Stack): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of stack.workers.flatMap((w) => logLines(w, 'job failed: will retry'))) {
    const reason = String((line.err as { message?: unknown } | undefined)?.message)
      .replace(/\d+/g, 'N')
      .replace(/(answered N): .*/s, '$1')
      .slice(0, 100);
    counts[reason] = (counts[reason] ?? 0) + 1;
  }
  return counts;
}

async function appliedIds(stack: Stack): Promise<string[]> {
  const rows = await stack.schema.rows<{ event_id: string }>('SELECT event_id FROM $schema.applied_events');
  return rows.map((r) => r.event_id);
}
