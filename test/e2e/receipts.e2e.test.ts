// Each request OpenIM sends is one event, whatever its bytes, and what must
// not travel on (OpenIM's admin secret in v3.7.0-v3.8.0 register bodies)
// never does: the built ingress and worker with the default settings, the
// Postgres and HTTP sinks, real HTTP in and out.
import { setTimeout as delay } from 'node:timers/promises';
import { inboxKeys } from '@openim-sync/queue';
import { type Delivery, type Stack, startFaultStack } from '@openim-sync/testing';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCapture, runCli } from '../../packages/cli/src/index.js';

const GROUP = 'receipts-group';
const USER = 'receipts-user';
// The operationID of the OpenIM docs' examples: App backends that copy them send it with every call.
const FIXED_OP = '1646445464564';
const joinBody = `{"callbackCommand":"callbackAfterJoinGroupCommand","operationID":"${FIXED_OP}","groupID":"${GROUP}","reqMessage":"","joinSource":3,"inviterUserID":"${USER}"}\n`;
const quitBody = `{"callbackCommand":"callbackAfterQuitGroupCommand","groupID":"${GROUP}","userID":"${USER}"}\n`;
// v3.8.0's CallbackAfterUserRegisterReq: callbackCommand, secret, users (sdkws.UserInfo).
const SECRET = 'openIM123-admin-secret-9f3c';
const registerBody = `{"callbackCommand":"callbackAfterUserRegisterCommand","secret":"${SECRET}","users":[{"userID":"reg-1","nickname":"Reg","faceURL":"","ex":"","createTime":1713351839000,"appMangerLevel":1,"globalRecvMsgOpt":0}]}\n`;

/** Posts a body as Go's net/http does; `operationID` null leaves the header out (OpenIM v3.0 to v3.6 when empty). */
async function send(url: string, command: string, body: string, operationID: string | null = FIXED_OP) {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (operationID !== null) headers.operationID = operationID;
  const response = await fetch(`${url}/callback/${command}`, { method: 'POST', headers, body });
  return { status: response.status, answer: (await response.json()) as { errCode: number } };
}

/** Every value under the stack's keys, as text: strings, hashes, lists, sets, sorted sets and streams. */
async function redisText(redis: Redis, prefix: string): Promise<string> {
  const parts: string[] = [];
  for (const key of await redis.keys(`${prefix}:*`)) {
    const type = await redis.type(key);
    if (type === 'string') parts.push((await redis.get(key)) ?? '');
    if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
    if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
    if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
    if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
    if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
  }
  return parts.join('\n');
}

async function cli(stack: Stack, argv: string[]): Promise<string> {
  const stdout = createCapture();
  const { name, opts } = stack.queue;
  const env = { REDIS_URL: stack.redisUrl, QUEUE_NAME: name, QUEUE_PREFIX: opts.prefix ?? name };
  const code = await runCli({ argv: ['jobs', ...argv], env, stdout, stderr: createCapture() });
  expect(code, argv.join(' ')).toBe(0);
  return stdout.lines().join('\n');
}

describe('receipts end to end (default settings)', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  async function start() {
    const s = await startFaultStack({ label: 'receipts', env: { CONTENT_DEDUP_SECONDS: '0', LOG_LEVEL: 'trace' } });
    stack = s;
    // The App fails the first delivery of every Idempotency-Key: each event is retried once.
    const seen = new Set<string>();
    s.receiver.answer = ({ body }) => {
      if (seen.has(body.id)) return 200;
      seen.add(body.id);
      return 503;
    };
    const ingress = await s.startIngress();
    await s.startWorker();
    return { s, url: ingress.url };
  }

  it('join, quit and join with one operationID and identical bodies leave the user a member', async () => {
    const { s, url } = await start();
    for (const [command, body] of [
      ['callbackAfterJoinGroupCommand', joinBody],
      ['callbackAfterQuitGroupCommand', quitBody],
      ['callbackAfterJoinGroupCommand', joinBody],
    ] as const) {
      expect(await send(url, command, body)).toEqual({ status: 200, answer: expect.objectContaining({ errCode: 0 }) });
      // Seconds apart, as a user's actions are.
      await delay(1000);
    }
    await vi.waitFor(async () => expect(await s.queue.getCompletedCount()).toBe(3), { timeout: 30_000 });

    const members = await s.schema.rows<{ user_id: string }>(
      'SELECT user_id FROM $schema.group_members WHERE group_id = $1',
      [GROUP],
    );
    expect(members.map((m) => m.user_id)).toEqual([USER]);
    expect(await s.schema.rows('SELECT event_id FROM $schema.applied_events')).toHaveLength(3);

    // Three deliveries with three keys; each was retried once under its own key.
    const byKey = new Map<string, Delivery[]>();
    for (const d of s.receiver.deliveries)
      byKey.set(d.idempotencyKey ?? '', [...(byKey.get(d.idempotencyKey ?? '') ?? []), d]);
    expect(byKey.size).toBe(3);
    for (const [key, deliveries] of byKey) {
      expect(key).toMatch(/^u-[0-9a-f-]{36}$/);
      expect(deliveries.map((d) => [d.status, d.body.id])).toEqual([
        [503, key],
        [200, key],
      ]);
    }
    const commands = [...byKey.values()].map((d) => d[0]?.body.command);
    expect(commands.sort()).toEqual([
      'callbackAfterJoinGroupCommand',
      'callbackAfterJoinGroupCommand',
      'callbackAfterQuitGroupCommand',
    ]);
    expect(await s.queue.getFailedCount()).toBe(0);
  });

  it('applies a callback sent without an operationID header as one with an empty operationID', async () => {
    const { s, url } = await start();
    expect((await send(url, 'callbackAfterJoinGroupCommand', joinBody, null)).status).toBe(200);
    await vi.waitFor(() => expect(s.receiver.deliveries.filter((d) => d.status === 200)).toHaveLength(1), {
      timeout: 30_000,
    });
    expect(s.receiver.deliveries[0]?.body.operationID).toBe('');
    const members = await s.schema.rows('SELECT user_id FROM $schema.group_members WHERE group_id = $1', [GROUP]);
    expect(members).toHaveLength(1);
  });

  it('strips OpenIM’s admin secret from a register body: nowhere in Redis, Postgres, forwards, logs or the CLI', async () => {
    const { s, url } = await start();
    expect((await send(url, 'callbackAfterUserRegisterCommand', registerBody)).status).toBe(200);
    // The same body failing its schema is kept for a redrive: without the secret too.
    const broken = registerBody.replace('"users":[', '"users":"not a list","was":[');
    expect((await send(url, 'callbackAfterUserRegisterCommand', broken)).status).toBe(400);
    await vi.waitFor(() => expect(s.receiver.deliveries.filter((d) => d.status === 200)).toHaveLength(1), {
      timeout: 30_000,
    });
    // The forward lands before the job is marked completed: wait for the job too.
    await vi.waitFor(async () => expect(await s.queue.getCompletedCount()).toBe(1), { timeout: 10_000 });
    const [job] = await s.queue.getCompleted();
    expect(job?.data.payload).toEqual({
      callbackCommand: 'callbackAfterUserRegisterCommand',
      users: [expect.objectContaining({ userID: 'reg-1', nickname: 'Reg' })],
    });

    const places: Record<string, string> = {
      redis: await redisText(s.connection, s.queue.opts.prefix ?? ''),
      postgres: JSON.stringify(await s.schema.rows('SELECT * FROM $schema.user_profiles')),
      forwarded: JSON.stringify(s.receiver.deliveries),
      logs: [...s.ingresses.map((i) => i.process), ...s.workers].flatMap((p) => p.output).join('\n'),
      'jobs show': await cli(s, ['show', job?.id ?? '', '--json']),
      'jobs inbox': await cli(s, ['inbox', '--json']),
    };
    expect(places.postgres).toContain('reg-1');
    expect(places['jobs inbox']).toContain('callbackAfterUserRegisterCommand');
    expect(await s.connection.xlen(inboxKeys({ prefix: s.queue.opts.prefix ?? '', name: s.queue.name }).rejected)).toBe(
      1,
    );
    for (const [place, text] of Object.entries(places)) expect(text.includes(SECRET), place).toBe(false);
    // The logs were written at trace level: the worker's line for the job is there, the secret is not.
    expect(s.workers[0]?.logLines('job applied')).toHaveLength(1);
  });
});
