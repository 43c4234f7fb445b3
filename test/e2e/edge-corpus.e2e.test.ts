import { isDeepStrictEqual } from 'node:util';
import { createWorkerConnection, inboxKeys, readRejectedFields } from '@openim-sync/queue';
import { commandDefinitions, createCatalog } from '@openim-sync/schema';
import {
  type Delivery,
  readFixture,
  type Stack,
  startFaultStack,
  testServices,
  uniqueName,
} from '@openim-sync/testing';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { edgeCorpus, longId, TEXT } from '../../packages/schema/src/edge-corpus.test-helper.js';

// Every after-callback at the edges of what OpenIM can send (empty strings,
// NUL, non-ASCII, Go's \u003c escapes, int64 extremes, 600-character ids, nil
// slices), as Go encodes it, through the built ingress, the inbox, a built
// worker, the postgres sink and the http sink; and each command's fixture once
// without the operationID header, as OpenIM v3.0 to v3.6 send an empty one.

interface Request {
  command: string;
  name: string;
  /** The operationID header; null sends none. */
  operationID: string | null;
  bytes: Buffer;
}

const ACK = { actionCode: 0, errCode: 0, errMsg: '', errDlt: '', nextCode: 0 };
const commands = commandDefinitions.map((d) => d.command);
const run = uniqueName('edge');
const requests: Request[] = [
  ...edgeCorpus(commands).map((c, i) => ({ ...c, operationID: `${run}-${i}` })),
  ...commands.map((command) => ({
    command,
    name: 'its fixture without an operationID header',
    operationID: null,
    bytes: readFixture(command),
  })),
];
const label = (r: Request) => `${r.command} (${r.name})`;

describe('the edge corpus end to end', () => {
  let stack: Stack | undefined;
  const redis = createWorkerConnection(testServices().redisUrl);
  afterAll(async () => {
    redis.disconnect();
    await stack?.close();
  });

  it('acknowledges, applies and forwards every body, strings exact', { timeout: 120_000 }, async () => {
    // Few, quick retries: a job that cannot succeed shows up as failed within seconds.
    const s = await startFaultStack({ label: 'edge_corpus', env: { RETRY_SCHEDULE: '50ms,100ms' } });
    stack = s;
    const [ingress] = await Promise.all([s.startIngress(), s.startWorker()]);

    const refused: string[] = [];
    for (const request of requests) {
      const answer = await post(ingress.url, request);
      if (answer.status !== 200 || !isAck(answer.text))
        refused.push(`${label(request)}: ${answer.status} ${answer.text}`);
    }
    expect(refused, 'requests not acknowledged').toEqual([]);

    // Every acknowledged body ends as a finished job, or in the rejected stream when the mover refuses it.
    await vi.waitFor(
      async () => {
        const counts = await s.queue.getJobCounts('completed', 'failed', 'wait', 'active', 'delayed', 'prioritized');
        const finished = (counts.completed ?? 0) + (counts.failed ?? 0);
        expect({ inbox: await s.connection.xlen(inboxKeys(s.names).stream), ...counts, finished }).toMatchObject({
          inbox: 0,
          wait: 0,
          active: 0,
          delayed: 0,
          prioritized: 0,
          finished: requests.length - (await rejectedReasons(redis, s)).length,
        });
      },
      { timeout: 60_000, interval: 250 },
    );

    const failed = await s.queue.getFailed(0, -1);
    expect(
      failed.map((job) => `${describeJob(job.data.operationID, job.name)}: ${job.failedReason}`),
      'failed jobs',
    ).toEqual([]);
    expect(await rejectedReasons(redis, s), 'rejected stream').toEqual([]);
    expect(deliveryProblems(s.receiver.deliveries), 'forwarded events').toEqual([]);

    // The projection stores text without NUL (Postgres' text cannot hold it): U+FFFD stands in.
    const [profile] = await s.schema.rows<{ nickname: string }>(
      'SELECT nickname FROM $schema.user_profiles WHERE user_id = $1',
      [longId('u')],
    );
    expect(profile?.nickname).toBe(TEXT.replaceAll('\u0000', '\ufffd'));
  });
});

async function post(baseUrl: string, request: Request): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Go-http-client/1.1',
  };
  if (request.operationID !== null) headers.operationID = request.operationID;
  const response = await fetch(`${baseUrl}/callback/${request.command}`, {
    method: 'POST',
    headers,
    body: request.bytes,
  });
  return { status: response.status, text: await response.text() };
}

function isAck(text: string): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(text), ACK);
  } catch {
    return false;
  }
}

/** The request a job or delivery came from, by its operationID (and its command, for the header-less ones). */
function requestOf(operationID: string, command: string): Request | undefined {
  return requests.find(
    (r) => (r.operationID ?? '') === operationID && (r.operationID !== null || r.command === command),
  );
}

function describeJob(operationID: string, command: string): string {
  const request = requestOf(operationID, command);
  return request ? label(request) : `${command} ${operationID}`;
}

/** Reasons of the entries in the inbox's rejected stream (the ingress's refusals and the mover's). */
async function rejectedReasons(redis: Redis, s: Stack): Promise<string[]> {
  const keys = inboxKeys({ prefix: s.queue.opts.prefix ?? '', name: s.queue.name });
  const entries = await redis.xrangeBuffer(keys.rejected, '-', '+');
  return entries.map(([, fields]) => readRejectedFields(fields).reason);
}

/** Each request's event, as the http sink forwarded it, against the catalog's reading of the bytes sent. */
function deliveryProblems(deliveries: Delivery[]): string[] {
  const catalog = createCatalog();
  const problems: string[] = [];
  for (const request of requests) {
    const got = deliveries.filter((d) => requestOf(d.body.operationID, d.body.command) === request);
    const payload = JSON.parse(request.bytes.toString('utf8'));
    const checked = catalog.check(request.command, payload);
    const expected = checked.ok ? JSON.parse(JSON.stringify(checked.value.event)) : checked;
    if (got.length === 0) problems.push(`${label(request)}: never forwarded`);
    for (const { body, status } of got.slice(0, 1)) {
      if (status !== 200) problems.push(`${label(request)}: the receiver answered ${status}`);
      try {
        expect(body.event).toEqual(expected);
        expect(body.payload).toEqual(payload);
      } catch (err) {
        problems.push(`${label(request)}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
  }
  return problems;
}
