import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdminConnection, createCallbackQueue, type QueueSettings } from '@openim-sync/queue';
import {
  deleteQueueKeys,
  freePort,
  readFixture,
  repoRoot,
  type ServiceProcess,
  startService,
  testServices,
  uniqueName,
} from '@openim-sync/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const ingressEntry = `${repoRoot}apps/ingress/dist/main.js`;
const workerEntry = `${repoRoot}apps/worker/dist/main.js`;

describe('configuration errors', () => {
  it.each([
    ['ingress', ingressEntry, { PORT: 'http', RETRY_SCHEDULE: 'soon', ENABLED_COMMANDS: 'callbackNopeCommand' }],
    ['worker', workerEntry, { SINKS: 'postgres,kafka', WORKER_CONCURRENCY: '-1', DATABASE_URL: 'mysql://db' }],
  ])('%s exits 1 with one message naming every bad variable', async (_name, entry, env) => {
    const service = startService(entry, env);
    expect(await service.exited).toBe(1);
    const output = service.output.join('\n');
    expect(output).toContain('invalid configuration');
    for (const name of Object.keys(env)) expect(output).toContain(name);
  });
});

describe('graceful shutdown', () => {
  const { redisUrl } = testServices();
  const name = uniqueName('lifecycle');
  let target: Server;
  let release: () => void = () => {};
  let requests = 0;
  const started: ServiceProcess[] = [];

  beforeAll(async () => {
    // The App's endpoint: holds each request until the test releases it.
    target = createServer((req, res) => {
      requests++;
      req.resume();
      release = () => res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    // Whatever happened in the test, no process outlives it.
    await Promise.all(started.map((p) => p.stop('SIGKILL')));
    await new Promise((resolve) => target.close(resolve));
    await deleteQueueKeys(redisUrl, name, name);
  });

  it('lets the worker finish its active job before it exits, and the ingress drain', async () => {
    const port = await freePort();
    const env = { REDIS_URL: redisUrl, QUEUE_NAME: name, QUEUE_PREFIX: name };
    const ingress = startService(ingressEntry, { ...env, PORT: String(port), HOST: '127.0.0.1' });
    const worker = startService(workerEntry, {
      ...env,
      SINKS: 'http',
      FORWARD_URL: `http://127.0.0.1:${(target.address() as AddressInfo).port}/events`,
    });
    started.push(ingress, worker);
    await Promise.all([ingress.waitForLine(/ingress listening/), worker.waitForLine(/worker started/)]);

    const response = await fetch(`http://127.0.0.1:${port}/callback/callbackAfterQuitGroupCommand`, {
      method: 'POST',
      headers: { operationID: 'op-shutdown', 'content-type': 'application/json' },
      body: readFixture('callbackAfterQuitGroupCommand'),
    });
    expect(response.status).toBe(200);
    await vi.waitFor(() => expect(requests).toBe(1), { timeout: 10_000 });

    // SIGTERM while the job is in flight: the worker waits for it.
    const workerExit = worker.stop('SIGTERM');
    await worker.waitForLine(/shutting down/);
    release();
    expect(await workerExit).toBe(0);

    const settings = { name, prefix: name } as QueueSettings;
    const connection = createAdminConnection(redisUrl);
    const queue = createCallbackQueue(settings, connection);
    try {
      expect(await queue.getJobCounts('completed', 'active', 'wait', 'failed')).toEqual({
        completed: 1,
        active: 0,
        wait: 0,
        failed: 0,
      });
    } finally {
      await queue.close();
      connection.disconnect();
    }

    expect(await ingress.stop('SIGTERM')).toBe(0);
    expect(ingress.output.join('\n')).toContain('shutdown complete');
  });
});
