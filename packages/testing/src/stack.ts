import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { testServices } from './inject.js';
import { uniqueName } from './names.js';
import { createTestSchema, type TestSchema } from './postgres.js';
import { freePort, repoRoot, type ServiceProcess, startService } from './process.js';
import { type Receiver, startReceiver } from './receiver.js';
import { deleteQueueKeys } from './redis.js';
import { createRedisServer, type RedisServer, type RedisServerOptions } from './redis-server.js';

/** The built entry points the stack runs. */
export const APP_ENTRIES = {
  ingress: join(repoRoot, 'apps/ingress/dist/main.js'),
  worker: join(repoRoot, 'apps/worker/dist/main.js'),
} as const;

export interface StackOptions {
  /** Names the stack's queue, prefix and schema (made unique). */
  label: string;
  /** Redis of the queue; the shared one by default (then the stack deletes its keys at the end). */
  redisUrl?: string;
  /** A redis-server of the stack's own instead (to kill, fill or lock), stopped by `close()`. */
  ownRedis?: RedisServerOptions;
  /** QUEUE_NAME when a test needs a fixed one (the dashboard's default); the prefix stays unique. */
  queueName?: string;
  /** Added to (and overriding) the environment of every process. */
  env?: Record<string, string>;
  /** Added to the ingresses' environment. */
  ingressEnv?: Record<string, string>;
  /** Added to the workers' environment. */
  workerEnv?: Record<string, string>;
  /** The workers' DATABASE_URL when it is not the test's own (a proxy in front of Postgres). */
  workerDatabaseUrl?: string;
  /** Time the App's endpoint takes per delivery. */
  receiverDelayMs?: number;
}

export interface Ingress {
  process: ServiceProcess;
  /** Origin of its callback listener. */
  url: string;
  port: number;
}

/**
 * The built ingress and workers as processes (`node apps/<app>/dist/main.js`)
 * on a queue, key prefix and Postgres schema of the test's own, with an App
 * endpoint (the receiver) as the http sink's target.
 */
export interface Stack {
  /** QUEUE_NAME and QUEUE_PREFIX of every process. */
  names: { name: string; prefix: string };
  /** The queue's Redis, and a connection to it for reading what the processes wrote. */
  redisUrl: string;
  /** The stack's own redis-server, with `ownRedis`. */
  redisServer: RedisServer | undefined;
  connection: Redis;
  /** A BullMQ Queue on the stack's name and prefix, for reading counts and finished jobs. */
  queue: Queue;
  schema: TestSchema;
  receiver: Receiver;
  ingresses: Ingress[];
  workers: ServiceProcess[];
  /** Starts an ingress (`env` added to its environment) and resolves once it listens. */
  startIngress(env?: Record<string, string>): Promise<Ingress>;
  /** Starts a worker (`env` added to its environment) and resolves once it runs. */
  startWorker(env?: Record<string, string>): Promise<ServiceProcess>;
  /** Every process started so far, ingresses first. */
  processes(): ServiceProcess[];
  /**
   * Stops every process still running (SIGTERM, SIGKILL after `killAfterMs`)
   * and removes what the stack created; safe to call twice.
   */
  close(killAfterMs?: number): Promise<void>;
}

/** Starts the parts every stack has; the processes start when the test asks for them. */
export async function startStack(options: StackOptions): Promise<Stack> {
  for (const entry of Object.values(APP_ENTRIES)) expect(existsSync(entry), `${entry}: run pnpm build`).toBe(true);
  const services = testServices();
  const redisServer = options.ownRedis ? await createRedisServer(options.ownRedis) : undefined;
  await redisServer?.start();
  const redisUrl = redisServer?.url ?? options.redisUrl ?? services.redisUrl;
  const prefix = uniqueName(options.label);
  const names = { name: options.queueName ?? prefix, prefix };
  const receiver = await startReceiver({ delayMs: options.receiverDelayMs });
  const schema = await createTestSchema(services.databaseUrl, options.label).catch(async (err) => {
    await receiver.close();
    await redisServer?.close();
    throw err;
  });
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  connection.on('error', () => {}); // a fault test may kill this Redis
  const queue = new Queue(names.name, { connection, prefix });
  queue.on('error', () => {});
  const common = { REDIS_URL: redisUrl, QUEUE_NAME: names.name, QUEUE_PREFIX: prefix, ...options.env };
  let closing: Promise<void> | undefined;

  const stack: Stack = {
    names,
    redisUrl,
    redisServer,
    connection,
    queue,
    schema,
    receiver,
    ingresses: [],
    workers: [],
    async startIngress(env = {}) {
      const port = await freePort();
      const service = startService(APP_ENTRIES.ingress, {
        ...common,
        PORT: String(port),
        HOST: '127.0.0.1',
        ...options.ingressEnv,
        ...env,
      });
      const ingress = { process: service, url: `http://127.0.0.1:${port}`, port };
      stack.ingresses.push(ingress);
      await service.waitForLine(/"msg":"ingress listening"/, 30_000);
      return ingress;
    },
    async startWorker(env = {}) {
      const worker = startService(APP_ENTRIES.worker, {
        ...common,
        DATABASE_URL: options.workerDatabaseUrl ?? services.databaseUrl,
        DATABASE_SCHEMA: schema.name,
        SINKS: 'postgres,http',
        FORWARD_URL: receiver.url,
        ...options.workerEnv,
        ...env,
      });
      stack.workers.push(worker);
      await worker.waitForLine(/"msg":"worker started"/, 30_000);
      return worker;
    },
    processes: () => [...stack.ingresses.map((i) => i.process), ...stack.workers],
    close(killAfterMs = 5000) {
      closing ??= (async () => {
        await Promise.all(stack.processes().map((p) => p.stop('SIGTERM', killAfterMs)));
        await queue.close().catch(() => {});
        connection.disconnect();
        if (redisUrl === services.redisUrl) await deleteQueueKeys(redisUrl, prefix, names.name);
        await schema.drop().catch(() => {});
        await receiver.close();
        await redisServer?.close();
      })();
      return closing;
    },
  };
  return stack;
}
