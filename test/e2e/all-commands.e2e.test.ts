import { createAdminConnection, createCallbackQueue, type QueueSettings } from '@openim-sync/queue';
import { commandDefinitions, createCatalog } from '@openim-sync/schema';
import {
  createTestSchema,
  deleteQueueKeys,
  freePort,
  readFixture,
  repoRoot,
  type ServiceProcess,
  startService,
  type TestSchema,
  testServices,
  uniqueName,
} from '@openim-sync/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ForwardReceiver, startForwardReceiver } from './forward-receiver.js';

const ACK = '{"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0}';

// Every command of the catalog, from its byte-exact fixture, through the built
// ingress, the queue and a worker, into the http sink and the postgres sink.
describe('every OpenIM after-callback end to end', () => {
  const { redisUrl, databaseUrl } = testServices();
  const name = uniqueName('all_commands');
  const catalog = createCatalog();
  const processes: ServiceProcess[] = [];
  let schema: TestSchema;
  let receiver: ForwardReceiver;
  let port: number;

  beforeAll(async () => {
    schema = await createTestSchema(databaseUrl, 'all_commands');
    receiver = await startForwardReceiver(new Set());
    port = await freePort();
    const env = { REDIS_URL: redisUrl, QUEUE_NAME: name, QUEUE_PREFIX: name };
    processes.push(
      startService(`${repoRoot}apps/ingress/dist/main.js`, { ...env, PORT: String(port), HOST: '127.0.0.1' }),
      startService(`${repoRoot}apps/worker/dist/main.js`, {
        ...env,
        SINKS: 'postgres,http',
        DATABASE_URL: databaseUrl,
        DATABASE_SCHEMA: schema.name,
        FORWARD_URL: receiver.url,
      }),
    );
    await Promise.all([processes[0]?.waitForLine(/ingress listening/), processes[1]?.waitForLine(/worker started/)]);
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await receiver?.close();
    await schema?.drop();
    await deleteQueueKeys(redisUrl, name, name);
  });

  it('forwards each command once with its normalised event, and projects users', async () => {
    for (const { command } of commandDefinitions) {
      const response = await fetch(`http://127.0.0.1:${port}/callback/${command}`, {
        method: 'POST',
        headers: { operationID: `op-${command}`, 'content-type': 'application/json; charset=utf-8' },
        body: readFixture(command),
      });
      expect(await response.text(), command).toBe(ACK);
    }
    await vi.waitFor(() => expect(receiver.deliveries).toHaveLength(commandDefinitions.length), { timeout: 30_000 });

    for (const { command } of commandDefinitions) {
      const delivery = receiver.deliveries.find((d) => d.body.command === command);
      const checked = catalog.check(command, JSON.parse(readFixture(command).toString('utf8')));
      if (!checked.ok) throw new Error(checked.reason.message);
      expect(delivery?.body.event, command).toEqual(JSON.parse(JSON.stringify(checked.value.event)));
      expect(delivery?.idempotencyKey).toMatch(/^u-[0-9a-f-]{36}$/);
    }

    const settings = { name, prefix: name } as QueueSettings;
    const connection = createAdminConnection(redisUrl);
    const queue = createCallbackQueue(settings, connection);
    try {
      expect(await queue.getFailedCount()).toBe(0);
    } finally {
      await queue.close();
      connection.disconnect();
    }
    const applied = await schema.rows('SELECT event_id FROM $schema.applied_events');
    expect(applied).toHaveLength(commandDefinitions.length);
    const presence = await schema.rows('SELECT user_id, online FROM $schema.user_presence');
    expect(presence.length).toBeGreaterThan(0);
    const profiles = await schema.rows('SELECT user_id FROM $schema.user_profiles');
    expect(profiles.length).toBeGreaterThan(0);
  });
});
