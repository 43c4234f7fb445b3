// Realistic callback jobs for draining: joins and quits over many groups,
// added exactly as the ingress adds them (same data shape and options).
import { createHash } from 'node:crypto';
import { appendToInbox, callbackJobOptions, inboxKeys } from '@openim-sync/queue';
import { Queue } from 'bullmq';

export function benchSettings(redisUrl, name) {
  return {
    redisUrl,
    name,
    prefix: name,
    attempts: 12,
    retryScheduleMs: [10_000, 60_000, 300_000],
    keepCompleted: { count: 1000, age: 3600 },
    keepFailed: { count: 0, age: 1209600 },
    contentDedupMs: 0,
  };
}

export function openQueue(settings) {
  return new Queue(settings.name, { connection: { url: settings.redisUrl }, prefix: settings.prefix });
}

function callback(i) {
  const groupID = `bench-g${i % 500}`;
  const userID = `bench-u${Math.floor(i / 500) % 40}`;
  const quit = Math.floor(i / 20000) % 2 === 1;
  const payload = quit
    ? { callbackCommand: 'callbackAfterQuitGroupCommand', groupID, userID }
    : {
        callbackCommand: 'callbackAfterJoinGroupCommand',
        operationID: `op-${i}`,
        groupID,
        reqMessage: '',
        joinSource: 3,
        inviterUserID: userID,
      };
  const event = quit
    ? { type: 'group.member.quit', groupID, userID }
    : { type: 'group.member.joined', groupID, userID, joinSource: 3, reqMessage: '', ex: null, groupEx: null };
  return {
    command: payload.callbackCommand,
    operationID: `op-${i}`,
    receivedAt: Date.now() + i / 1000,
    event,
    payload,
  };
}

/** Online and offline reports of 2,000 users on 2 platforms each, in OpenIM's order (`seq`). */
function presenceCallback(i) {
  const userID = `bench-p${i % 2000}`;
  const platformID = 1 + (Math.floor(i / 2000) % 2);
  const online = Math.floor(i / 4000) % 2 === 0;
  const seq = 1_700_000_000_000 + i;
  const command = online ? 'callbackAfterUserOnlineCommand' : 'callbackAfterUserOfflineCommand';
  const payload = { callbackCommand: command, operationID: `op-${i}`, userID, platformID, platform: 'IOS', seq };
  const event = {
    type: 'user.presence',
    userID,
    online,
    platformID,
    platform: 'IOS',
    seq,
    isAppBackground: null,
    connID: null,
  };
  return { command, operationID: `op-${i}`, receivedAt: Date.now() + i / 1000, event, payload };
}

/**
 * Adds `count` jobs in bulk; returns nothing until Redis holds them all.
 * `kind`: membership joins and quits (default), or presence reports.
 */
export async function prefill(queue, settings, count, offset = 0, kind = 'membership') {
  const make = kind === 'presence' ? presenceCallback : callback;
  for (let start = 0; start < count; start += 1000) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const data = make(offset + i);
      const jobId = `h-${createHash('sha256')
        .update(`${settings.name}:${offset + i}`)
        .digest('base64url')
        .slice(0, 32)}`;
      batch.push({ name: data.command, data, opts: callbackJobOptions(settings, jobId, 86_400_000) });
    }
    await queue.addBulk(batch);
  }
}

/**
 * Appends `count` callbacks to the queue's inbox as the ingress does in its
 * default mode (the same record: command, operationID, receive time, body).
 */
export async function prefillInbox(redis, settings, count, offset = 0) {
  const { stream } = inboxKeys(settings);
  for (let start = 0; start < count; start += 1000) {
    const pipeline = redis.pipeline();
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const { command, operationID, receivedAt, payload } = callback(offset + i);
      appendToInbox(pipeline, stream, { command, operationID, receivedAt, body: Buffer.from(JSON.stringify(payload)) });
    }
    await pipeline.exec();
  }
}
