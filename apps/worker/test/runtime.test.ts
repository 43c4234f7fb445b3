import { reconcileQueueName } from '@openim-sync/queue';
import { createLogger } from '@openim-sync/runtime';
import { createTestSchema, deleteQueueKeys, freePort, testServices, uniqueName } from '@openim-sync/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createWorkerRuntime } from '../src/runtime.js';

const services = testServices();
const { databaseUrl } = services;
/**
 * The runtimes under test use a database of the shared Redis no other test
 * selects, so CLIENT LIST's `db=` picks out their connections, named or not.
 */
const DB = 9;
const redisUrl = Object.assign(new URL(services.redisUrl), { pathname: `/${DB}` }).toString();
const logger = createLogger({ name: 'test', level: 'silent' });
const observer = new Redis(services.redisUrl);
const cleanups: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await observer.quit();
});

/** The names (CLIENT SETNAME; '' when none) of every connection on the test's database. */
async function connectionNames(): Promise<string[]> {
  const list = (await observer.client('LIST')) as string;
  return list
    .split('\n')
    .filter((line) => new RegExp(`(?:^| )db=${DB}(?: |$)`).test(line))
    .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '')
    .sort();
}

const base64 = (name: string) => Buffer.from(name).toString('base64');

async function startRuntime(label: string, env: Record<string, string>) {
  const prefix = uniqueName(`${label}_prefix`);
  const name = uniqueName(label);
  const config = loadConfig({ REDIS_URL: redisUrl, QUEUE_NAME: name, QUEUE_PREFIX: prefix, ...env });
  const fatal: string[] = [];
  const runtime = createWorkerRuntime({ config, logger, onFatal: (reason) => fatal.push(reason) });
  cleanups.push(async () => {
    await runtime.close();
    await deleteQueueKeys(redisUrl, prefix, name);
    await deleteQueueKeys(redisUrl, prefix, reconcileQueueName(config.queue));
  });
  await runtime.start();
  return { runtime, prefix, name, config, fatal };
}

describe('the worker runtime’s Redis connections', () => {
  it('opens one command connection, the inbox reader and the callback worker’s blocking one; close ends them', async () => {
    const metricsPort = String(await freePort());
    const { runtime, prefix, name, fatal } = await startRuntime('runtime', {
      SINKS: 'log',
      METRICS_PORT: metricsPort,
      METRICS_HOST: '127.0.0.1',
      METRICS_USER: 'prom',
      METRICS_PASSWORD: 'scrape-secret',
    });
    const expected = [`${prefix}:${base64(name)}`, `${prefix}:worker`, `${prefix}:worker:inbox`].sort();
    await vi.waitFor(async () => expect(await connectionNames()).toEqual(expected), { timeout: 10_000 });
    // The queue gauges read through the shared handle: a scrape answers with the queue's depth.
    const headers = { Authorization: `Basic ${base64('prom:scrape-secret')}` };
    const scrape = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers })).text();
    expect(scrape).toMatch(/^openim_sync_queue_jobs\{state="waiting"\} 0$/m);

    await runtime.close();
    await vi.waitFor(async () => expect(await connectionNames()).toEqual([]), { timeout: 10_000 });
    expect(fatal).toEqual([]);
  });

  it('adds only the reconcile worker’s blocking connection when OPENIM_API_URL is set', async () => {
    const schema = await createTestSchema(databaseUrl, 'runtime_reconcile');
    cleanups.push(() => schema.drop());
    const { runtime, prefix, config, fatal } = await startRuntime('runtime_reconcile', {
      SINKS: 'postgres',
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: schema.name,
      METRICS_PORT: '0',
      OPENIM_API_URL: 'http://127.0.0.1:1',
      OPENIM_ADMIN_SECRET: 'secret',
    });
    const expected = [
      `${prefix}:${base64(config.queue.name)}`,
      `${prefix}:${base64(reconcileQueueName(config.queue))}`,
      `${prefix}:worker`,
      `${prefix}:worker:inbox`,
    ].sort();
    await vi.waitFor(async () => expect(await connectionNames()).toEqual(expected), { timeout: 10_000 });

    await runtime.close();
    await vi.waitFor(async () => expect(await connectionNames()).toEqual([]), { timeout: 10_000 });
    expect(fatal).toEqual([]);
  });
});
