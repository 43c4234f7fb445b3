import { APP_ENTRIES, readFixture, type Stack, startService, startStack } from '@openim-sync/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';

describe('configuration errors', () => {
  it.each([
    ['ingress', APP_ENTRIES.ingress, { PORT: 'http', RETRY_SCHEDULE: 'soon', ENABLED_COMMANDS: 'callbackNopeCommand' }],
    ['worker', APP_ENTRIES.worker, { SINKS: 'postgres,kafka', WORKER_CONCURRENCY: '-1', DATABASE_URL: 'mysql://db' }],
  ])('%s exits 1 with one message naming every bad variable', async (_name, entry, env) => {
    const service = startService(entry, env);
    expect(await service.exited).toBe(1);
    const output = service.output.join('\n');
    expect(output).toContain('invalid configuration');
    for (const name of Object.keys(env)) expect(output).toContain(name);
  });
});

describe('graceful shutdown', () => {
  let stack: Stack | undefined;
  afterAll(() => stack?.close());

  it('lets the worker finish its active job before it exits, and the ingress drain', async () => {
    const s = await startStack({ label: 'lifecycle', workerEnv: { SINKS: 'http' } });
    stack = s;
    // The App's endpoint: holds each request until the test releases it.
    let release: () => void = () => {};
    s.receiver.answer = () => (res) => {
      release = () => res.writeHead(200).end();
    };
    const [ingress, worker] = await Promise.all([s.startIngress(), s.startWorker()]);

    const response = await fetch(`${ingress.url}/callback/callbackAfterQuitGroupCommand`, {
      method: 'POST',
      headers: { operationID: 'op-shutdown', 'content-type': 'application/json' },
      body: readFixture('callbackAfterQuitGroupCommand'),
    });
    expect(response.status).toBe(200);
    await vi.waitFor(() => expect(s.receiver.deliveries).toHaveLength(1), { timeout: 10_000 });

    // SIGTERM while the job is in flight: the worker waits for it.
    const workerExit = worker.stop('SIGTERM');
    await worker.waitForLine(/shutting down/);
    release();
    expect(await workerExit).toBe(0);

    expect(await s.queue.getJobCounts('completed', 'active', 'wait', 'failed')).toEqual({
      completed: 1,
      active: 0,
      wait: 0,
      failed: 0,
    });

    expect(await ingress.process.stop('SIGTERM')).toBe(0);
    expect(ingress.process.output.join('\n')).toContain('shutdown complete');
  });
});
