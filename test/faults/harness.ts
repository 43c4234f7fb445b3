import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type CallbackJobData, callbackJobId, createAdminConnection, inboxKeys } from '@openim-sync/queue';
import {
  createTestSchema,
  deleteQueueKeys,
  freePort,
  repoRoot,
  type ServiceProcess,
  startService,
  type TestSchema,
  testServices,
  uniqueName,
} from '@openim-sync/testing';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { expect } from 'vitest';
import { type Callback, generateWorkload } from '../e2e/workload.js';
import { isRunning } from './process-log.js';
import { type FaultReceiver, startFaultReceiver } from './receiver.js';

export { Ledger, type Outcome, type SendRecord, sendLoad, sendOne } from './load.js';

const ENTRIES = {
  ingress: join(repoRoot, 'apps/ingress/dist/main.js'),
  worker: join(repoRoot, 'apps/worker/dist/main.js'),
};

/** A known set of callbacks: one ordered list per group. */
export interface Workload {
  seed: number;
  groups: Callback[][];
  /** Every callback, each group in send order. */
  all: Callback[];
  jobIdOf(callback: Callback): string;
}

/**
 * About `groups × (eventsPerGroup + 1)` callbacks of every membership command
 * (a third of the groups end dismissed). A new seed each run; pass the one a
 * failed run printed to replay it.
 */
export function createWorkload(
  groups: number,
  eventsPerGroup: number,
  seed = Math.floor(Math.random() * 2 ** 31),
): Workload {
  const lists = generateWorkload({
    seed,
    runTag: uniqueName('op'),
    groups,
    eventsPerGroup,
    dismissEvery: 3,
    aliasShare: 0.2,
  });
  const ids = new Map<Callback, string>();
  for (const c of lists.flat()) ids.set(c, callbackJobId(c.command, c.operationID, c.body, true));
  return { seed, groups: lists, all: lists.flat(), jobIdOf: (c) => ids.get(c) as string };
}

export interface StackOptions {
  label: string;
  /** Redis of the queue; the shared one by default. */
  redisUrl?: string;
  /** The workers' DATABASE_URL when it is not the test's own (a proxy in front of Postgres). */
  workerDatabaseUrl?: string;
  /** Added to (and overriding) the environment of every process. */
  env?: Record<string, string>;
  /** Added to the workers' environment. */
  workerEnv?: Record<string, string>;
  /** Time the App's endpoint takes per delivery. */
  receiverDelayMs?: number;
}

export interface Ingress {
  process: ServiceProcess;
  url: string;
}

/** The built ingress and workers as processes, on a queue, schema and forward target of their own. */
export interface Stack {
  queue: Queue<CallbackJobData>;
  /** The queue's Redis, and a connection to it for reading what the processes wrote. */
  redisUrl: string;
  connection: Redis;
  schema: TestSchema;
  receiver: FaultReceiver;
  ingresses: Ingress[];
  workers: ServiceProcess[];
  startIngress(): Promise<Ingress>;
  startWorker(): Promise<ServiceProcess>;
  /** Callbacks acknowledged into the inbox and not moved into the queue yet. */
  inboxLength(): Promise<number>;
  /** Kills every process still running and removes what the stack created; safe to call twice. */
  close(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  for (const entry of Object.values(ENTRIES)) expect(existsSync(entry), `${entry}: run pnpm build`).toBe(true);
  const services = testServices();
  const redisUrl = options.redisUrl ?? services.redisUrl;
  const name = uniqueName(options.label);
  const receiver = await startFaultReceiver(options.receiverDelayMs);
  const schema = await createTestSchema(services.databaseUrl, options.label).catch(async (err) => {
    await receiver.close();
    throw err;
  });
  const connection = createAdminConnection(redisUrl);
  connection.on('error', () => {}); // the Redis restart test kills it on purpose
  // Only reads (counts, finished jobs): a plain Queue on the stack's name and prefix.
  const queue = new Queue<CallbackJobData>(name, { connection, prefix: name });
  queue.on('error', () => {});
  const common = {
    REDIS_URL: redisUrl,
    QUEUE_NAME: name,
    QUEUE_PREFIX: name,
    // 20 attempts, waits doubling from 200 ms up to 10 s (~2.5 min in all): short faults end well within it.
    RETRY_SCHEDULE: doublingSchedule(200, 19),
    // Keep every finished job: the checks read attemptsMade of each.
    KEEP_COMPLETED_COUNT: '1000000',
    // A killed worker's unmoved inbox entries go to another worker after 2 s, not 15.
    INBOX_CLAIM_IDLE_MS: '2000',
    LOG_LEVEL: 'info',
    // Every callback of a workload has an operationID of its own, so content ids are as distinct as receipt
    // ids, and they let the checks name each callback's job (receipts themselves: test/e2e/receipts).
    CONTENT_DEDUP_SECONDS: '86400',
    ...options.env,
  };
  const stack: Stack = {
    queue,
    redisUrl,
    connection,
    schema,
    receiver,
    ingresses: [],
    workers: [],
    inboxLength: () => connection.xlen(inboxKeys({ prefix: name, name }).stream),
    async startIngress() {
      const port = await freePort();
      const service = startService(ENTRIES.ingress, { ...common, PORT: String(port), HOST: '127.0.0.1' });
      const ingress = { process: service, url: `http://127.0.0.1:${port}` };
      stack.ingresses.push(ingress);
      await service.waitForLine(/"msg":"ingress listening"/, 30_000);
      return ingress;
    },
    async startWorker() {
      const worker = startService(ENTRIES.worker, {
        ...common,
        DATABASE_URL: options.workerDatabaseUrl ?? services.databaseUrl,
        DATABASE_SCHEMA: schema.name,
        DATABASE_POOL_SIZE: '4',
        SINKS: 'postgres,http',
        FORWARD_URL: receiver.url,
        WORKER_CONCURRENCY: '8',
        LOCK_DURATION_MS: '2000',
        STALLED_INTERVAL_MS: '1000',
        MAX_STALLED_COUNT: '20',
        SHUTDOWN_TIMEOUT_MS: '10000',
        // No metrics listener: several workers run on one host.
        METRICS_PORT: '0',
        ...options.workerEnv,
      });
      stack.workers.push(worker);
      await worker.waitForLine(/"msg":"worker started"/, 30_000);
      return worker;
    },
    async close() {
      const all = [...stack.ingresses.map((i) => i.process), ...stack.workers];
      await Promise.all(all.map((p) => (isRunning(p) ? p.stop('SIGKILL') : p.exited)));
      await queue.close().catch(() => {});
      connection.disconnect();
      if (!options.redisUrl) await deleteQueueKeys(redisUrl, name, name);
      await schema.drop().catch(() => {});
      await receiver.close();
    },
  };
  return stack;
}

export { checkEffects, type EffectCounts, retryReasons, waitForDrain } from './check.js';
export { isRunning, logLines } from './process-log.js';

/** RETRY_SCHEDULE of `retries` waits doubling from `firstMs`, capped at 10 s. */
export function doublingSchedule(firstMs: number, retries: number, capMs = 10_000): string {
  return Array.from({ length: retries }, (_, i) => Math.min(firstMs * 2 ** i, capMs)).join(',');
}

/** Writes a test's measured counts to test-results/faults/<name>.json. */
export function writeResults(name: string, data: Record<string, unknown>): void {
  const dir = join(repoRoot, 'test-results', 'faults');
  mkdirSync(dir, { recursive: true });
  const machine = { cpus: availableParallelism(), node: process.version, platform: process.platform };
  const body = { test: name, date: new Date().toISOString(), machine, ...data };
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(body, null, 2)}\n`);
}
