import {
  type CallbackQueue,
  createCallbackQueue,
  createInboxMover,
  createProducerConnection,
  createWorkerConnection,
  inboxKeys,
  type QueueEnv,
  type QueueSettings,
  toQueueSettings,
} from '@openim-sync/queue';
import { createLogger } from '@openim-sync/runtime';
import { createCatalog } from '@openim-sync/schema';
import { deleteQueueKeys, uniqueName } from '@openim-sync/testing';
import type { Hono } from 'hono';
import type { Redis } from 'ioredis';
import { afterEach, expect, vi } from 'vitest';
import { createApp } from '../src/app.js';
import { createProducer } from '../src/producer.js';

export const ACK = '{"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0}';
const logger = createLogger({ name: 'ingress-test', level: 'silent', pretty: false });

/** Settings of a queue of a test's own (unique name and prefix), one attempt, a little retention. */
export function testQueueSettings(redisUrl: string, label: string): QueueSettings {
  return toQueueSettings({
    REDIS_URL: redisUrl,
    QUEUE_NAME: uniqueName(label),
    QUEUE_PREFIX: uniqueName(`${label}_prefix`),
    RETRY_SCHEDULE: [],
    KEEP_COMPLETED_COUNT: 10,
    KEEP_COMPLETED_AGE_SECONDS: 60,
    KEEP_FAILED_COUNT: 10,
    KEEP_FAILED_AGE_SECONDS: 60,
  });
}

/** The ingress's app over the real producer, as main.ts wires them, and the queue its inbox moves into. */
export interface Stack {
  app: Hono;
  /** The queue the worker's mover fills from the inbox; the ingress itself adds no job. */
  queue: CallbackQueue;
  connection: Redis;
  settings: QueueSettings;
  /** Moves the inbox into the queue with the worker's mover (under `consumer` when given) until it is empty. */
  moveInbox(consumer?: string): Promise<void>;
  /** Closes the queue, then the connection; safe to call twice. */
  close(): Promise<void>;
}

export interface StackOptions {
  redisUrl: string;
  /** Queue variables overriding the test defaults (name and prefix are unique per stack). */
  queueEnv?: Partial<QueueEnv>;
  enqueueTimeoutMs?: number;
  /** CONTENT_DEDUP_SECONDS in ms; 0 (the default, as in production): every receipt is its own job. */
  contentDedupMs?: number;
  /** Whether the producer coalesces the writes of one event-loop turn (its default: no). */
  coalesceWrites?: boolean;
}

export function createStack({
  redisUrl,
  queueEnv = {},
  enqueueTimeoutMs = 1000,
  contentDedupMs = 0,
  coalesceWrites = false,
}: StackOptions) {
  const settings = toQueueSettings({
    REDIS_URL: redisUrl,
    QUEUE_NAME: uniqueName('ingress'),
    QUEUE_PREFIX: uniqueName('prefix'),
    RETRY_SCHEDULE: [250, 500, 1000, 2000],
    KEEP_COMPLETED_COUNT: 10,
    KEEP_COMPLETED_AGE_SECONDS: 600,
    KEEP_FAILED_COUNT: 20,
    KEEP_FAILED_AGE_SECONDS: 1200,
    CONTENT_DEDUP_SECONDS: contentDedupMs / 1000,
    ...queueEnv,
  });
  const connection = createProducerConnection(settings.redisUrl, enqueueTimeoutMs);
  // The connection and the queue repeat errors while Redis is away; the 503s are what the tests look at.
  connection.on('error', () => {});
  const queue = createCallbackQueue(settings, connection);
  queue.on('error', () => {});
  const producer = createProducer({ connection, settings, timeoutMs: enqueueTimeoutMs, coalesceWrites });
  const app = createApp({
    config: { basePath: '/callback', maxBodyBytes: 1024 * 1024 },
    catalog: createCatalog(),
    producer,
    logger,
  });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await queue.close();
      connection.disconnect();
    })();
    return closing;
  };
  const moveInbox = async (consumer?: string) => {
    const reader = createWorkerConnection(settings.redisUrl);
    reader.on('error', () => {});
    const mover = createInboxMover({
      reader,
      queue,
      settings,
      catalog: createCatalog(),
      logger,
      blockMs: 100,
      consumer,
    });
    const running = mover.run();
    try {
      await vi.waitFor(async () => expect(await connection.xlen(inboxKeys(settings).stream)).toBe(0), {
        timeout: 10_000,
        interval: 50,
      });
    } finally {
      await mover.close();
      await running;
    }
  };
  return { app, queue, connection, settings, moveInbox, close } satisfies Stack;
}

/**
 * For a test file: the returned function makes stacks whose connection and
 * queue are up (the producer refuses callbacks until then); each is closed,
 * and its keys deleted, after the test that made it.
 */
export function useStacks(redisUrl: string) {
  const stacks: Stack[] = [];
  afterEach(async () => {
    for (const { settings, close } of stacks.splice(0)) {
      await close();
      await deleteQueueKeys(redisUrl, settings.prefix, settings.name);
    }
  });
  return async function readyStack(options: Omit<StackOptions, 'redisUrl'> = {}): Promise<Stack> {
    const stack = createStack({ redisUrl, ...options });
    stacks.push(stack);
    await vi.waitFor(() => expect(stack.connection.status).toBe('ready'));
    await stack.queue.waitUntilReady();
    return stack;
  };
}

/** A POST as OpenIM's Go client sends it. */
export function post(app: Hono, path: string, body: Uint8Array | string, operationID: string | null = '1') {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    'User-Agent': 'Go-http-client/1.1',
  };
  if (operationID !== null) headers.Operationid = operationID;
  return app.request(path, { method: 'POST', headers, body: typeof body === 'string' ? Buffer.from(body) : body });
}

/** Checks the five-field error response OpenIM reads. */
export async function errorOf(response: Response): Promise<{ errCode: number; errMsg: string }> {
  const body = (await response.json()) as Record<string, unknown>;
  if (
    Object.keys(body).sort().join() !== 'actionCode,errCode,errDlt,errMsg,nextCode' ||
    typeof body.errCode !== 'number' ||
    body.errCode === 0 ||
    typeof body.errMsg !== 'string' ||
    body.errMsg === ''
  ) {
    throw new Error(`not a callback error response: ${JSON.stringify(body)}`);
  }
  return { errCode: body.errCode, errMsg: body.errMsg };
}
