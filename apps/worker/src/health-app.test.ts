import { Counter, Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { createHealthApp, type WorkerState, workerReadiness } from './health-app.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function setup(credentials?: { username: string; password: string }) {
  const registry = new Registry();
  new Counter({ name: 'openim_sync_test_total', help: 'test', registers: [registry] }).inc();
  const state = { readiness: 'ready' };
  const app = createHealthApp({ registry, credentials, readiness: async () => state.readiness });
  return { app, state };
}

function fakeWorker(running: boolean, statuses: Array<string | 'hang'>): WorkerState {
  const client = (status: string) =>
    status === 'hang' ? new Promise<never>(() => {}) : Promise.resolve({ status } as never);
  return {
    isRunning: () => running,
    getBackend: () => ({ client: client(statuses[0]!), blockingClient: statuses[1] ? client(statuses[1]) : undefined }),
  };
}

describe('worker health app', () => {
  it('/healthz says the process is up; /readyz follows readiness, a second late at most', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const { app, state } = setup();
      expect(await (await app.request('/healthz')).json()).toEqual({ status: 'ok' });
      expect((await app.request('/readyz')).status).toBe(200);
      state.readiness = 'shutting down';
      vi.advanceTimersByTime(1000);
      const response = await app.request('/readyz');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'shutting down' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('/readyz runs the readiness check once for a burst of probes', async () => {
    let checks = 0;
    const readiness = async () => {
      checks += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return 'ready';
    };
    const app = createHealthApp({ registry: new Registry(), readiness });
    const burst = await Promise.all(Array.from({ length: 200 }, () => app.request('/readyz')));
    expect(burst.map((r) => r.status)).toEqual(Array(200).fill(200));
    for (let i = 0; i < 50; i++) expect((await app.request('/readyz')).status).toBe(200);
    expect(checks).toBe(1);
  });

  it('serves no /metrics without credentials, never an open one; health stays open', async () => {
    const { app } = setup();
    expect((await app.request('/metrics')).status).toBe(404);
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/readyz')).status).toBe(200);
  });

  it('puts /metrics, and only /metrics, behind basic auth when configured', async () => {
    const { app } = setup({ username: 'prom', password: 'scrape-secret' });
    expect((await app.request('/metrics')).status).toBe(401);
    const wrong = { Authorization: basic('prom', 'scrape-secreT') };
    expect((await app.request('/metrics', { headers: wrong })).status).toBe(401);
    const right = { Authorization: basic('prom', 'scrape-secret') };
    expect((await app.request('/metrics', { headers: right })).status).toBe(200);
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/readyz')).status).toBe(200);
  });
});

describe('workerReadiness', () => {
  it('is ready only when running with both connections ready', async () => {
    expect(await workerReadiness(fakeWorker(true, ['ready', 'ready']))).toBe('ready');
    expect(await workerReadiness(fakeWorker(true, ['ready']))).toBe('ready');
    expect(await workerReadiness(fakeWorker(false, ['ready', 'ready']))).toBe('not running');
    expect(await workerReadiness(fakeWorker(true, ['ready', 'reconnecting']))).toBe('redis unavailable');
  });

  it('gives up waiting for a connection that never came up', async () => {
    const started = Date.now();
    expect(await workerReadiness(fakeWorker(true, ['hang', 'ready']), 50)).toBe('redis unavailable');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
