import { commandDefinitions, createCatalog } from '@openim-sync/schema';
import { readFixture, type Stack, startStack } from '@openim-sync/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const ACK = '{"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0}';

// Every command of the catalog, from its byte-exact fixture, through the built
// ingress, the queue and a worker, into the http sink and the postgres sink.
describe('every OpenIM after-callback end to end', () => {
  const catalog = createCatalog();
  let stack: Stack;
  let ingressUrl: string;

  beforeAll(async () => {
    stack = await startStack({ label: 'all_commands' });
    const [ingress] = await Promise.all([stack.startIngress(), stack.startWorker()]);
    ingressUrl = ingress.url;
  });

  afterAll(() => stack?.close());

  it('forwards each command once with its normalised event, and projects users', async () => {
    for (const { command } of commandDefinitions) {
      const response = await fetch(`${ingressUrl}/callback/${command}`, {
        method: 'POST',
        headers: { operationID: `op-${command}`, 'content-type': 'application/json; charset=utf-8' },
        body: readFixture(command),
      });
      expect(await response.text(), command).toBe(ACK);
    }
    await vi.waitFor(() => expect(stack.receiver.deliveries).toHaveLength(commandDefinitions.length), {
      timeout: 30_000,
    });

    for (const { command } of commandDefinitions) {
      const delivery = stack.receiver.deliveries.find((d) => d.body.command === command);
      const checked = catalog.check(command, JSON.parse(readFixture(command).toString('utf8')));
      if (!checked.ok) throw new Error(checked.reason.message);
      expect(delivery?.body.event, command).toEqual(JSON.parse(JSON.stringify(checked.value.event)));
      expect(delivery?.idempotencyKey).toMatch(/^u-[0-9a-f-]{36}$/);
    }

    expect(await stack.queue.getFailedCount()).toBe(0);
    const applied = await stack.schema.rows('SELECT event_id FROM $schema.applied_events');
    expect(applied).toHaveLength(commandDefinitions.length);
    const presence = await stack.schema.rows('SELECT user_id, online FROM $schema.user_presence');
    expect(presence.length).toBeGreaterThan(0);
    const profiles = await stack.schema.rows('SELECT user_id FROM $schema.user_profiles');
    expect(profiles.length).toBeGreaterThan(0);
  });
});
