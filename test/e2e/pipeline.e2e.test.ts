import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTick } from 'node:timers/promises';
import { type CallbackQueue, createAdminConnection, createCallbackQueue, type QueueSettings } from '@openim-sync/queue';
import { commandDefinitions, createCatalog } from '@openim-sync/schema';
import {
  createTestSchema,
  deleteQueueKeys,
  freePort,
  repoRoot,
  type ServiceProcess,
  startService,
  type TestSchema,
  uniqueName,
} from '@openim-sync/testing';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { type Delivery, type ForwardReceiver, startForwardReceiver } from './forward-receiver.js';
import { expectedMembers, type MemberRow, sortRows } from './membership-model.js';
import { type Callback, generateWorkload } from './workload.js';

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
const ACK = { actionCode: 0, errCode: 0, errMsg: '', errDlt: '', nextCode: 0 };
const ENTRIES = { ingress: 'apps/ingress/dist/main.js', worker: 'apps/worker/dist/main.js' };

describe(`pipeline end to end (seed ${seed})`, () => {
  const redisUrl = inject('redisUrl');
  const queueName = uniqueName('e2e');
  const queuePrefix = uniqueName('e2e_prefix');
  const processes: ServiceProcess[] = [];
  let schema: TestSchema;
  let receiver: ForwardReceiver;
  let queue: CallbackQueue | undefined;
  let connection: ReturnType<typeof createAdminConnection> | undefined;
  let ingressUrl: string;
  let workers: ServiceProcess[];

  beforeAll(async () => {
    for (const entry of Object.values(ENTRIES)) {
      expect(existsSync(join(repoRoot, entry)), `${entry} missing: run pnpm build first`).toBe(true);
    }
    schema = await createTestSchema(inject('databaseUrl'), 'e2e');
    receiver = await startForwardReceiver(failFirst);
    const queueEnv = { REDIS_URL: redisUrl, QUEUE_NAME: queueName, QUEUE_PREFIX: queuePrefix };
    const port = await freePort();
    ingressUrl = `http://127.0.0.1:${port}`;
    const ingress = startService(ENTRIES.ingress, { ...queueEnv, PORT: String(port), HOST: '127.0.0.1' });
    processes.push(ingress);
    workers = [1, 2].map(() =>
      startService(ENTRIES.worker, {
        ...queueEnv,
        DATABASE_URL: inject('databaseUrl'),
        DATABASE_SCHEMA: schema.name,
        SINKS: 'postgres,http',
        FORWARD_URL: receiver.url,
        WORKER_CONCURRENCY: '8',
        RETRY_SCHEDULE: '100ms',
        // "job applied" is a debug line: counting it per process shows who did the work.
        LOG_LEVEL: 'debug',
      }),
    );
    processes.push(...workers);
    await Promise.all([
      ingress.waitForLine(/"msg":"ingress listening"/),
      ...workers.map((w) => w.waitForLine(/"msg":"worker started"/)),
    ]);
    connection = createAdminConnection(redisUrl);
    queue = createCallbackQueue(queueSettings(redisUrl, queueName, queuePrefix), connection);
  }, 30_000);

  afterAll(async () => {
    // Only reached with live processes when the test failed before stopping them.
    await Promise.all(processes.map((p) => (isRunning(p) ? p.stop('SIGKILL') : undefined)));
    await queue?.close();
    connection?.disconnect();
    await deleteQueueKeys(redisUrl, queuePrefix, queueName);
    await schema?.drop();
    await receiver?.close();
  });

  it('projects and forwards every acknowledged callback, shared by two workers', { timeout: 120_000 }, async () => {
    expect(sent.length).toBeGreaterThanOrEqual(300);
    const covered = [...new Set(sent.map((c) => c.command))];
    const membership = commandDefinitions.filter((d) => d.category === 'group-membership');
    for (const { command } of membership) expect(covered, `no callback for ${command}`).toContain(command);

    // Groups in parallel (five at a time), each group's callbacks one after another.
    await withConcurrency(callbacks, 5, (group) => sendInOrder(ingressUrl, group));

    await vi.waitFor(
      async () => {
        const [row] = await schema.rows<{ n: number }>('SELECT count(*)::int AS n FROM $schema.applied_events');
        const counts = await queue?.getJobCounts();
        expect({ applied: row?.n, ...counts }).toMatchObject({ applied: sent.length, completed: sent.length });
      },
      { timeout: 60_000, interval: 200 },
    );

    expect(await queue?.getJobCounts('failed', 'wait', 'active', 'delayed')).toEqual({
      failed: 0,
      wait: 0,
      active: 0,
      delayed: 0,
    });
    checkDeliveries(receiver.deliveries);
    const applied = await schema.rows<{ event_id: string }>('SELECT event_id FROM $schema.applied_events');
    expect(new Set(applied.map((r) => r.event_id))).toEqual(new Set(jobIdOf.values()));

    const members = await schema.rows<{ group_id: string; user_id: string; role_level: number; nickname: string }>(
      'SELECT group_id, user_id, role_level, nickname FROM $schema.group_members',
    );
    const actual: MemberRow[] = members.map((r) => ({
      groupID: r.group_id,
      userID: r.user_id,
      roleLevel: r.role_level,
      nickname: r.nickname,
    }));
    expect(sortRows(actual), `seed ${seed}`).toEqual(expectedMembers(sent.map((c) => c.op)));

    checkWorkShared(workers);

    const codes = await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    expect(codes, 'exit codes of ingress, worker, worker after SIGTERM').toEqual([0, 0, 0]);
    for (const p of processes) expect(logLines(p).filter((line) => Number(line.level) >= 50)).toEqual([]);
  });
});

/** Sends one group's callbacks in order, each only after the previous one was acknowledged. */
async function sendInOrder(baseUrl: string, group: Callback[]): Promise<void> {
  for (const callback of group) {
    const response = await fetch(`${baseUrl}${callback.path}`, {
      method: 'POST',
      headers: {
        operationID: callback.operationID,
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Go-http-client/1.1',
      },
      body: callback.body,
    });
    const answer = await response.text();
    expect(response.status, `${callback.path}: ${answer}`).toBe(200);
    expect(JSON.parse(answer)).toEqual(ACK);
    // The projection orders a group's events by the ingress's receive time in
    // ms: start the next one in a later millisecond than this ack arrived.
    const ackedAt = Date.now();
    while (Date.now() <= ackedAt) await nextTick();
  }
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
  const applied = workers.map((w) => logLines(w).filter((line) => line.msg === 'job applied'));
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

async function withConcurrency<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await run(items[next++] as T);
  };
  await Promise.all(Array.from({ length: limit }, lane));
}

/** Settings for a Queue that only reads counts: name and prefix are all that matter. */
function queueSettings(redisUrl: string, name: string, prefix: string): QueueSettings {
  const keep = { count: 0, age: 0 };
  return {
    redisUrl,
    name,
    prefix,
    attempts: 1,
    retryScheduleMs: [],
    keepCompleted: keep,
    keepFailed: keep,
    contentDedupMs: 0,
  };
}

/** A process's JSON log lines (anything else it printed is left out). */
function logLines(p: ServiceProcess): Array<Record<string, unknown>> {
  return p.output.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
}

function isRunning(p: ServiceProcess): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}
