import type { Job } from 'bullmq';
import { expect, vi } from 'vitest';
import type { Ledger } from './load.js';
import { expectedMembers, type MemberRow, sortRows } from './membership-model.js';
import type { Delivery } from './receiver.js';
import type { Stack } from './stack.js';
import type { Callback, Workload } from './workload.js';

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
 * The end-state checks of every fault test, that each acknowledged callback
 * was applied exactly once:
 * - one job per callback (its id read from the finished jobs and the
 *   forwarded events, by the callback's own operationID);
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
  const [completed, failed] = await Promise.all([stack.queue.getCompleted(0, -1), stack.queue.getFailed(0, -1)]);
  const deliveries = stack.receiver.deliveries;
  const { idOf, conflicts } = jobIds([...completed, ...failed], deliveries);
  expect(conflicts, 'callbacks that became more than one job').toEqual([]);
  const opOf = new Map([...idOf].map(([op, id]) => [id, op]));
  const sent = new Set(ledger.records.map((r) => r.callback.operationID));
  const acked = ledger.acked().map((c) => c.operationID);
  const applied = new Set(await appliedIds(stack));

  expect(
    acked.filter((op) => !applied.has(idOf.get(op) ?? '')),
    'acknowledged but not applied',
  ).toEqual([]);
  expect(
    [...applied].filter((id) => !sent.has(opOf.get(id) ?? '')),
    'applied but never sent',
  ).toEqual([]);

  const appliedCallbacks = workload.all.filter((c) => applied.has(idOf.get(c.operationID) ?? ''));
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

  const poisonIds = appliedCallbacks.filter((c) => poison.has(c.operationID)).map((c) => idOf.get(c.operationID));
  expect(new Set(failed.map((j) => j.id)), 'failed jobs').toEqual(new Set(poisonIds));
  const expectedCompleted = new Set([...applied].filter((id) => !poisonIds.includes(id)));
  const completedIds = completed.map((j) => j.id as string);
  const notApplied = completedIds.filter((id) => !expectedCompleted.has(id));
  if (allCompletedKept) expect(new Set(completedIds), 'completed jobs').toEqual(expectedCompleted);
  else expect(notApplied, 'completed but not applied').toEqual([]);

  checkDeliveries(deliveries, appliedCallbacks, idOf, sent, poison);
  const attempts = completed.map((j) => j.attemptsMade);
  const deliveredIds = new Set(deliveries.map((d) => d.body.id));
  return {
    jobs: completed.length + failed.length,
    completed: completed.length,
    failed: failed.length,
    applied: applied.size,
    appliedNotAcked: applied.size - acked.length,
    retriedJobs: attempts.filter((n) => n > 1).length,
    maxAttemptsMade: Math.max(0, ...attempts),
    deliveries: deliveries.length,
    repeatedDeliveries: deliveries.length - deliveredIds.size,
  };
}

/**
 * Each callback's job id by its operationID (every callback of a workload has
 * its own), from the jobs Redis kept and the events the App got; a callback
 * seen under two ids is a conflict.
 */
function jobIds(jobs: Job[], deliveries: Delivery[]) {
  const idOf = new Map<string, string>();
  const conflicts: string[] = [];
  const pairs = [
    ...jobs.map((j) => [j.data.operationID as string, j.id as string] as const),
    ...deliveries.map((d) => [d.body.operationID, d.body.id] as const),
  ];
  for (const [op, id] of pairs) {
    const known = idOf.get(op);
    if (known !== undefined && known !== id) conflicts.push(`${op}: ${known} and ${id}`);
    idOf.set(op, known ?? id);
  }
  return { idOf, conflicts };
}

function checkDeliveries(
  deliveries: Delivery[],
  appliedCallbacks: Callback[],
  idOf: ReadonlyMap<string, string>,
  sent: ReadonlySet<string>,
  poison: ReadonlySet<string>,
): void {
  const byId = new Map<string, Delivery[]>();
  for (const d of deliveries) byId.set(d.body.id, [...(byId.get(d.body.id) ?? []), d]);
  const problems: string[] = [];
  for (const d of deliveries) {
    if (d.idempotencyKey !== d.body.id) problems.push(`${d.body.id}: Idempotency-Key ${d.idempotencyKey}`);
    if (!sent.has(d.body.operationID)) problems.push(`${d.body.id}: delivered but never sent`);
  }
  for (const callback of appliedCallbacks) {
    const id = idOf.get(callback.operationID) ?? '';
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
 * callback is in applied_events (its id read from the event the App got: the
 * http sink runs after the postgres sink). Returns how long that took.
 */
export async function waitForDrain(stack: Stack, ledger: Ledger, timeoutMs = 90_000) {
  const started = Date.now();
  const acked = ledger.acked().map((c) => c.operationID);
  await vi.waitFor(
    async () => {
      const counts = await stack.queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
      const applied = new Set(await appliedIds(stack));
      const delivered = new Map(stack.receiver.deliveries.map((d) => [d.body.operationID, d.body.id]));
      const missing = acked.filter((op) => !applied.has(delivered.get(op) ?? '')).length;
      expect({ ...counts, missing }).toEqual({ wait: 0, active: 0, delayed: 0, prioritized: 0, missing: 0 });
    },
    { timeout: timeoutMs, interval: 500 },
  );
  return Date.now() - started;
}

/** Every callback of the workload was sent once and acknowledged. */
export function expectAllAcked(ledger: Ledger, workload: Workload): void {
  expect(ledger.summary(), `seed ${workload.seed}: ${ledger.examples('rejected').join('\n')}`).toEqual({
    acked: workload.all.length,
    unavailable: 0,
    refused: 0,
    hung: 0,
    rejected: 0,
  });
}

/** The figures every fault test writes about its load: seed, counts per outcome, ack latency. */
export function loadResults(ledger: Ledger, workload: Workload) {
  return {
    seed: workload.seed,
    callbacksSent: ledger.records.length,
    ...ledger.summary(),
    ackLatencyMs: ledger.ackLatency(),
  };
}

/** Failed attempts that the workers will retry, by reason (the error, numbers and bodies left out). */
export function retryReasons(stack: Stack): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of stack.workers.flatMap((w) => w.logLines('job failed: will retry'))) {
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
