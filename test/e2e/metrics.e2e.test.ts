// The built ingress and worker, wired by their main.ts: each serves Prometheus
// text and health on its own listener, and the numbers follow real traffic.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, type Ingress, repoRoot, type ServiceProcess, type Stack, startStack } from '@openim-sync/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const COMMAND = 'callbackAfterQuitGroupCommand';
const ADMIN = { user: 'ops', password: 'metrics-e2e-admin' };
const SCRAPER = { user: 'prometheus', password: 'metrics-e2e-scrape' };
const auth = ({ user, password }: { user: string; password: string }) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

/** The build info series of an app, the version read from its package.json. */
function buildInfo(app: 'ingress' | 'worker'): string {
  const { version } = JSON.parse(readFileSync(join(repoRoot, `apps/${app}/package.json`), 'utf8')) as {
    version: string;
  };
  return `openim_sync_build_info{app="${app}",version="${version}",node_version="${process.versions.node}"}`;
}

/** One sample from a scrape, or undefined when the series is absent. */
function sampleOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics and health of the built apps', () => {
  let stack: Stack;
  let ingress: Ingress;
  let worker: ServiceProcess;
  let callbackUrl: string;
  let adminUrl: string;
  let workerUrl: string;

  beforeAll(async () => {
    const [adminPort, metricsPort] = [await freePort(), await freePort()];
    adminUrl = `http://127.0.0.1:${adminPort}`;
    workerUrl = `http://127.0.0.1:${metricsPort}`;
    stack = await startStack({
      label: 'metrics',
      ingressEnv: {
        ADMIN_PORT: String(adminPort),
        ADMIN_HOST: '127.0.0.1',
        ADMIN_USER: ADMIN.user,
        ADMIN_PASSWORD: ADMIN.password,
        // At debug the ingress logs each accepted callback (checked below).
        LOG_LEVEL: 'debug',
        // The worker's variables, the same meaning: what Prometheus sends to /metrics.
        METRICS_USER: SCRAPER.user,
        METRICS_PASSWORD: SCRAPER.password,
      },
      workerEnv: {
        SINKS: 'log',
        METRICS_PORT: String(metricsPort),
        METRICS_HOST: '127.0.0.1',
        METRICS_USER: SCRAPER.user,
        METRICS_PASSWORD: SCRAPER.password,
      },
    });
    [ingress, worker] = await Promise.all([stack.startIngress(), stack.startWorker()]);
    callbackUrl = `${ingress.url}/callback/${COMMAND}`;
    await Promise.all([
      ingress.process.waitForLine(/"msg":"admin listening/),
      worker.waitForLine(/"msg":"metrics and health listening"/),
    ]);
  });

  afterAll(() => stack?.close());

  it('counts callbacks in the ingress and applied jobs in the worker', async () => {
    await vi.waitFor(async () => expect((await fetch(`${workerUrl}/readyz`)).status).toBe(200), { timeout: 10_000 });
    const body = JSON.stringify({ callbackCommand: COMMAND, groupID: 'g1', userID: 'u1' });
    const post = (payload: string) =>
      fetch(callbackUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', operationID: 'op-1' },
        body: payload,
      });
    // Two receipts of the same bytes are two events; garbage is refused; a known command failing its schema is kept.
    const failsSchema = JSON.stringify({ callbackCommand: COMMAND, groupID: 'g1' });
    for (const payload of [body, body, '{"callbackCommand":', failsSchema]) await (await post(payload)).text();

    // "Did OpenIM send it?": one debug line per acknowledged callback, with the id of its job.
    const accepted = ingress.process.output.filter((line) => line.includes('"msg":"callback accepted"'));
    expect(accepted.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ command: COMMAND, operationID: 'op-1', jobId: expect.any(String) }),
      expect.objectContaining({ command: COMMAND, operationID: 'op-1', jobId: expect.any(String) }),
    ]);

    const scrapeIngress = async () => (await fetch(`${adminUrl}/metrics`, { headers: auth(SCRAPER) })).text();
    const requests = (outcome: string) =>
      `openim_sync_ingress_requests_total{command="${COMMAND}",outcome="${outcome}"}`;
    const ingressText = await scrapeIngress();
    expect(sampleOf(ingressText, 'openim_sync_ingress_duplicates_dropped_total')).toBe(0);
    expect(sampleOf(ingressText, requests('ack'))).toBe(2);
    expect(sampleOf(ingressText, requests('rejected'))).toBe(2);
    expect(sampleOf(ingressText, 'openim_sync_ingress_rejects_total{reason="json"}')).toBe(1);
    expect(sampleOf(ingressText, 'openim_sync_ingress_rejects_total{reason="invalid-body"}')).toBe(1);
    expect(sampleOf(ingressText, `openim_sync_ingress_kept_total{command="${COMMAND}"}`)).toBe(1);
    expect(sampleOf(ingressText, 'openim_sync_ingress_ack_duration_seconds_count')).toBe(2);
    expect(ingressText).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(sampleOf(ingressText, buildInfo('ingress'))).toBe(1);
    expect(sampleOf(ingressText, 'openim_sync_redis_up')).toBe(1);
    expect(ingressText).not.toContain('NaN');

    const scrapeWorker = async () => (await fetch(`${workerUrl}/metrics`, { headers: auth(SCRAPER) })).text();
    await vi.waitFor(
      async () =>
        expect(
          sampleOf(await scrapeWorker(), `openim_sync_worker_end_to_end_seconds_count{command="${COMMAND}"}`),
        ).toBe(2),
      { timeout: 10_000 },
    );
    const workerText = await scrapeWorker();
    expect(sampleOf(workerText, `openim_sync_worker_jobs_total{command="${COMMAND}",outcome="completed"}`)).toBe(2);
    expect(
      sampleOf(workerText, `openim_sync_worker_sink_events_total{sink="log",command="${COMMAND}",outcome="logged"}`),
    ).toBe(2);
    expect(sampleOf(workerText, 'openim_sync_queue_jobs{state="failed"}')).toBe(0);
    expect(workerText).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(sampleOf(workerText, buildInfo('worker'))).toBe(1);
    expect(sampleOf(workerText, 'openim_sync_redis_up')).toBe(1);
    expect(workerText).not.toContain('NaN');
  });

  it('keeps the worker’s /metrics behind its credentials, health open', async () => {
    expect((await fetch(`${workerUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${workerUrl}/metrics`, { headers: auth({ ...SCRAPER, password: 'nope' }) })).status).toBe(401);
    expect((await fetch(`${workerUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${adminUrl}/metrics`)).status).toBe(401);
  });

  it('keeps the ingress’s /metrics and dashboard each behind its own credential', async () => {
    expect((await fetch(`${adminUrl}/metrics`, { headers: auth(ADMIN) })).status).toBe(401);
    expect((await fetch(`${adminUrl}/metrics`, { headers: auth(SCRAPER) })).status).toBe(200);
    for (const path of ['/', '/api/queues']) {
      expect((await fetch(`${adminUrl}${path}`, { headers: auth(SCRAPER) })).status, path).toBe(401);
      expect((await fetch(`${adminUrl}${path}`, { headers: auth(ADMIN) })).status, path).toBe(200);
    }
  });

  it('shuts both down cleanly', async () => {
    expect(await Promise.all([ingress.process.stop('SIGTERM'), worker.stop('SIGTERM')])).toEqual([0, 0]);
  });
});
