import { commandDefinitions, createCatalog } from '@openim-sync/schema';
import {
  type Delivery,
  expectedMembers,
  generateWorkload,
  Ledger,
  type MemberRow,
  type ServiceProcess,
  type Stack,
  sendLoad,
  sortRows,
  startStack,
  uniqueName,
} from '@openim-sync/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// A new workload each run; to replay a failure, put the seed from its test name here.
const seed = Math.floor(Math.random() * 2 ** 31);
const callbacks = generateWorkload({
  seed,
  runTag: uniqueName('op'),
  groups: 10,
  eventsPerGroup: 38,
  dismissEvery: 3,
  // A share of callbacks use OpenIM v3.6's command spellings (callbackQuitGroupCommand...).
  aliasShare: 0.2,
});
const sent = callbacks.flat();
// Each receipt gets a job id of its own at the ingress; read from the deliveries (see checkDeliveries).
const jobIdOf = new Map<string, string>();
// Every 12th callback's first forward fails transiently: its event must still arrive, under the same key.
const failFirst = new Set(sent.filter((_, i) => i % 12 === 5).map((c) => c.operationID));

describe(`pipeline end to end (seed ${seed})`, () => {
  let stack: Stack;
  let ingressUrl: string;
  let workers: ServiceProcess[];

  beforeAll(async () => {
    stack = await startStack({
      label: 'e2e',
      // "job applied" is a debug line: counting it per process shows who did the work.
      workerEnv: { WORKER_CONCURRENCY: '8', RETRY_SCHEDULE: '100ms', LOG_LEVEL: 'debug' },
    });
    stack.receiver.answer = failFirstDelivery(failFirst);
    const [ingress, ...started] = await Promise.all([stack.startIngress(), stack.startWorker(), stack.startWorker()]);
    ingressUrl = ingress.url;
    workers = started;
  }, 30_000);

  afterAll(() => stack?.close());

  it('projects and forwards every acknowledged callback, shared by two workers', { timeout: 120_000 }, async () => {
    expect(sent.length).toBeGreaterThanOrEqual(300);
    const covered = [...new Set(sent.map((c) => c.command))];
    const membership = commandDefinitions.filter((d) => d.category === 'group-membership');
    for (const { command } of membership) expect(covered, `no callback for ${command}`).toContain(command);

    // Groups in parallel (five at a time), each group's callbacks one after another.
    const ledger = new Ledger();
    await sendLoad(callbacks, ledger, { target: () => ingressUrl, concurrency: 5 });
    expect(ledger.summary(), ledger.examples('rejected').join('\n')).toMatchObject({ acked: sent.length });

    await vi.waitFor(
      async () => {
        const [row] = await stack.schema.rows<{ n: number }>('SELECT count(*)::int AS n FROM $schema.applied_events');
        const counts = await stack.queue.getJobCounts();
        expect({ applied: row?.n, ...counts }).toMatchObject({ applied: sent.length, completed: sent.length });
      },
      { timeout: 60_000, interval: 200 },
    );

    expect(await stack.queue.getJobCounts('failed', 'wait', 'active', 'delayed')).toEqual({
      failed: 0,
      wait: 0,
      active: 0,
      delayed: 0,
    });
    checkDeliveries(stack.receiver.deliveries);
    const applied = await stack.schema.rows<{ event_id: string }>('SELECT event_id FROM $schema.applied_events');
    expect(new Set(applied.map((r) => r.event_id))).toEqual(new Set(jobIdOf.values()));

    const members = await stack.schema.rows<{
      group_id: string;
      user_id: string;
      role_level: number;
      nickname: string;
    }>('SELECT group_id, user_id, role_level, nickname FROM $schema.group_members');
    const actual: MemberRow[] = members.map((r) => ({
      groupID: r.group_id,
      userID: r.user_id,
      roleLevel: r.role_level,
      nickname: r.nickname,
    }));
    expect(sortRows(actual), `seed ${seed}`).toEqual(expectedMembers(sent.map((c) => c.op)));

    checkWorkShared(workers);

    const processes = stack.processes();
    const codes = await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    expect(codes, 'exit codes of ingress, worker, worker after SIGTERM').toEqual([0, 0, 0]);
    for (const p of processes) expect(p.logLines().filter((line) => Number(line.level) >= 50)).toEqual([]);
  });
});

/**
 * The App's answers: the first delivery of each operationID in `failFirst`
 * gets a transient error (503, or 429 with `Retry-After: 0`), so those events
 * are delivered at least twice.
 */
function failFirstDelivery(failFirst: ReadonlySet<string>) {
  const seen = new Set<string>();
  let answered = 0;
  return ({ body }: { body: { operationID: string } }) => {
    const first = !seen.has(body.operationID);
    seen.add(body.operationID);
    if (!first || !failFirst.has(body.operationID)) return 200;
    return answered++ % 2 === 0 ? 503 : { status: 429, headers: { 'retry-after': '0' } };
  };
}

function checkDeliveries(deliveries: Delivery[]): void {
  const catalog = createCatalog();
  const byOperation = new Map<string, Delivery[]>();
  for (const d of deliveries) byOperation.set(d.body.operationID, [...(byOperation.get(d.body.operationID) ?? []), d]);
  for (const callback of sent) {
    const got = byOperation.get(callback.operationID) ?? [];
    const id = got[0]?.idempotencyKey ?? '';
    const where = `${callback.path} ${callback.operationID}`;
    expect(id, `${where}: a receipt id`).toMatch(/^u-[0-9a-f-]{36}$/);
    jobIdOf.set(callback.operationID, id);
    expect(got.length, `${where}: deliveries`).toBeGreaterThanOrEqual(failFirst.has(callback.operationID) ? 2 : 1);
    expect(got.at(-1)?.status, `${where}: last delivery acknowledged`).toBe(200);
    for (const { idempotencyKey, body } of got) {
      expect({ idempotencyKey, id: body.id, command: body.command }, where).toEqual({
        idempotencyKey: id,
        id,
        command: callback.command,
      });
    }
    const payload = JSON.parse(callback.body.toString('utf8'));
    const checked = catalog.check(callback.command, payload);
    expect(got[0]?.body.payload, where).toEqual(payload);
    expect(got[0]?.body.event, where).toEqual(checked.ok ? checked.value.event : checked);
  }
  expect(new Set(jobIdOf.values()).size, 'one job id per receipt').toBe(sent.length);
  // The precondition of the model: per group, receive times follow the send order strictly.
  for (const group of callbacks) {
    const times = group.map((c) => Date.parse(byOperation.get(c.operationID)?.[0]?.body.receivedAt ?? ''));
    expect(times, `receive times of group ${group[0]?.groupID}`).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(times).size, `distinct receive times in group ${group[0]?.groupID}`).toBe(times.length);
  }
}

/** Both workers applied jobs; together, every job; retried forwards found Postgres already applied. */
function checkWorkShared(workers: ServiceProcess[]): void {
  const applied = workers.map((w) => w.logLines('job applied'));
  const counts = applied.map((lines) => lines.length);
  expect(
    counts.every((n) => n > 0),
    `job applied lines per worker: ${counts}`,
  ).toBe(true);
  const byOperation = new Map(applied.flat().map((line) => [line.operationID as string, line]));
  expect(new Set(applied.flat().map((line) => line.jobId))).toEqual(new Set(jobIdOf.values()));
  for (const operationID of failFirst) {
    expect(byOperation.get(operationID)?.outcomes, operationID).toEqual({
      postgres: 'already-applied',
      http: 'forwarded',
    });
  }
}
