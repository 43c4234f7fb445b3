import {
  type CallbackJobData,
  type CallbackQueue,
  callbackJobId,
  callbackJobOptions,
  createCallbackQueue,
  createProducerConnection,
  type QueueSettings,
  queueEnv,
  toQueueSettings,
  workerConnectionOptions,
} from '@openim-sync/queue';
import { parseEnv } from '@openim-sync/runtime';
import { createCatalog } from '@openim-sync/schema';
import { deleteQueueKeys, readFixture, testServices, uniqueName } from '@openim-sync/testing';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { expect, vi } from 'vitest';
import { z } from 'zod';
import { createCapture, runCli } from '../src/index.js';

const catalog = createCatalog();

/** A queue of the test's own with real jobs in it, and `openim-sync jobs` pointed at it. */
export async function createQueueFixture(label: string) {
  const { redisUrl } = testServices();
  const name = uniqueName(label);
  const env = { REDIS_URL: redisUrl, QUEUE_NAME: name, QUEUE_PREFIX: name, RETRY_SCHEDULE: '1s,2s' };
  const settings: QueueSettings = toQueueSettings(parseEnv(z.object(queueEnv), env));
  const connection = createProducerConnection(redisUrl, 5000);
  await vi.waitFor(() => expect(connection.status).toBe('ready'));
  const queue: CallbackQueue = createCallbackQueue(settings, connection);
  let sequence = 0;

  return {
    env,
    settings,
    queue,
    /** The fixture's own connection, for what BullMQ does not cover (the inbox streams). */
    redis: connection,

    /** Enqueues a captured OpenIM callback as the ingress does; resolves with the job id. */
    async add(fixture: string): Promise<string> {
      const body = readFixture(fixture);
      const payload = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      const checked = catalog.check(fixture, payload);
      if (!checked.ok) throw new Error(`fixture ${fixture}: ${checked.reason.message}`);
      const operationID = `op-${label}-${++sequence}`;
      const command = checked.value.definition.command;
      const data: CallbackJobData = {
        command,
        operationID,
        receivedAt: Date.now(),
        event: checked.value.event,
        payload,
      };
      const jobId = callbackJobId(command, operationID, body);
      await queue.add(command, data, callbackJobOptions(settings, jobId, 60_000));
      return jobId;
    },

    /**
     * Runs a real BullMQ worker until no job waits any more, then closes it.
     * Jobs whose id `fails` picks throw an UnrecoverableError (a sink that
     * refuses them); the others succeed.
     */
    async process(fails: (id: string) => boolean = () => false): Promise<void> {
      const processor = async (job: Job<CallbackJobData>) => {
        if (fails(job.id as string)) throw new UnrecoverableError(`postgres sink: refused ${job.name} (test)`);
        return { log: 'applied' };
      };
      const worker = new Worker(name, processor, {
        connection: workerConnectionOptions(redisUrl),
        prefix: name,
        concurrency: 4,
      });
      try {
        await vi.waitFor(
          async () => {
            const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
            expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
          },
          { timeout: 15_000, interval: 50 },
        );
      } finally {
        await worker.close();
      }
    },

    /** Runs `openim-sync jobs <argv>` in-process against this queue and captures what it writes. */
    async jobs(argv: string[], options: { tty?: boolean } = {}) {
      const stdout = createCapture();
      const stderr = createCapture(options.tty ?? false);
      const code = await runCli({ argv: ['jobs', ...argv], env, stdout, stderr });
      return { code, out: stdout.text(), err: stderr.text(), lines: stdout.lines() };
    },

    /** The `--json` lines of `jobs failed` with these filters, parsed. */
    async failed(...filters: string[]): Promise<Array<{ id: string } & Record<string, unknown>>> {
      const result = await this.jobs(['failed', '--json', ...filters]);
      expect(result.code).toBe(0);
      return result.lines.map((line) => JSON.parse(line));
    },

    async close(): Promise<void> {
      await queue.close();
      connection.disconnect();
      await deleteQueueKeys(redisUrl, name, name);
    },
  };
}

export type QueueFixture = Awaited<ReturnType<typeof createQueueFixture>>;

/** The current time as `--since` takes it, a millisecond after every job that finished so far. */
export async function cutoff(): Promise<string> {
  const at = Date.now() + 1;
  await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(at));
  return new Date(at).toISOString();
}
