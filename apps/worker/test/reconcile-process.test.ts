import { existsSync } from 'node:fs';
import { createReconcileFixture, events, type ReconcileFixture } from '@openim-sync/projection/reconcile-fixture';
import { deleteQueueKeys, repoRoot, type ServiceProcess, startService, uniqueName } from '@openim-sync/testing';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';

const entry = `${repoRoot}apps/worker/dist/main.js`;
const name = uniqueName('reconcile_process');
const T0 = Date.now() - 600_000;
const SECRET = 'share-yml-secret-for-the-test';
let f: ReconcileFixture;
let worker: ServiceProcess | undefined;

beforeAll(async () => {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run "pnpm build" first`);
  f = await createReconcileFixture('reconcile_process', { secret: SECRET });
});

afterAll(async () => {
  await worker?.stop();
  await deleteQueueKeys(inject('redisUrl'), name, name);
  await deleteQueueKeys(inject('redisUrl'), name, `${name}-reconcile`);
  await f?.close();
});

describe('the built worker with OPENIM_API_URL', () => {
  it('schedules the reconcile, repairs drift, and never logs the secret', async () => {
    f.fake.group('g1', [
      { userID: 'o', roleLevel: 100, joinTime: T0 },
      { userID: 'inv', joinTime: T0 + 1000 },
    ]);
    await f.callback(
      events.created(
        'g1',
        [
          ['o', 100],
          ['gone', 20],
        ],
        T0,
      ),
      T0,
    );
    worker = startService(entry, {
      REDIS_URL: inject('redisUrl'),
      QUEUE_NAME: name,
      QUEUE_PREFIX: name,
      DATABASE_URL: inject('databaseUrl'),
      DATABASE_SCHEMA: f.schema.name,
      METRICS_PORT: '0',
      OPENIM_API_URL: f.fake.url,
      OPENIM_ADMIN_SECRET: f.fake.secret,
      RECONCILE_INTERVAL: '1s',
    });
    await worker.waitForLine(/reconcile scheduled/, 30_000);
    const repaired = await worker.waitForLine(/reconcile repaired a group/, 30_000);
    expect(JSON.parse(repaired)).toMatchObject({ groupID: 'g1', added: 1, removed: 1, updated: 0, dismissed: false });
    await vi.waitFor(async () => expect(await f.members('g1')).toEqual(['inv:20', 'o:100']), { timeout: 10_000 });
    expect(worker.output.join('\n')).not.toContain(SECRET);
    expect(await worker.stop()).toBe(0);
  });

  it('refuses to start without the secret, naming the variable', async () => {
    const bad = startService(entry, { OPENIM_API_URL: f.fake.url, RECONCILE_INTERVAL: '15m', METRICS_PORT: '0' });
    expect(await bad.exited).toBe(1);
    expect(bad.output.join('\n')).toContain('OPENIM_ADMIN_SECRET: required when OPENIM_API_URL is set');
  });
});
