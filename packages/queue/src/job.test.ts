import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { callbackJobId, callbackJobOptions, createReceiveClock, isContentJobId, keepJobs } from './job.js';
import { type QueueSettings, queueEnv, toQueueSettings } from './settings.js';

const settings: QueueSettings = toQueueSettings(z.object(queueEnv).parse({}));
const body = Buffer.from('{"callbackCommand":"x"}\n');

describe('callbackJobId', () => {
  it('gives every receipt an id of its own by default, whatever its bytes', () => {
    const id = callbackJobId('c', 'op-1', body);
    expect(id).toMatch(/^u-[0-9a-f-]{36}$/);
    expect(callbackJobId('c', 'op-1', Buffer.from(body))).not.toBe(id);
    expect(isContentJobId(id)).toBe(false);
  });

  it('with content deduplication, is stable for the same command, operationID and bytes', () => {
    const id = callbackJobId('c', 'op-1', body, true);
    expect(id).toBe(callbackJobId('c', 'op-1', Buffer.from(body), true));
    expect(isContentJobId(id)).toBe(true);
    expect(id).not.toContain(':'); // BullMQ refuses ':' in custom ids
  });

  it('with content deduplication, differs when any part differs', () => {
    const id = callbackJobId('c', 'op-1', body, true);
    expect(callbackJobId('d', 'op-1', body, true)).not.toBe(id);
    expect(callbackJobId('c', 'op-2', body, true)).not.toBe(id);
    expect(callbackJobId('c', 'op-1', Buffer.from('{"callbackCommand":"x"}'), true)).not.toBe(id);
  });

  it('never merges callbacks with an empty operationID, even with content deduplication', () => {
    const a = callbackJobId('c', '', body, true);
    expect(a).not.toBe(callbackJobId('c', '', body, true));
    expect(isContentJobId(a)).toBe(false);
  });
});

describe('callbackJobOptions', () => {
  it('deduplicates content ids for the TTL and keeps retention bounded', () => {
    const id = callbackJobId('c', 'op', body, true);
    expect(callbackJobOptions(settings, id, 5000)).toMatchObject({
      jobId: id,
      attempts: 12,
      backoff: { type: 'jittered' },
      deduplication: { id, ttl: 5000 },
      removeOnComplete: { count: 1000, age: 3600 },
      // Failed jobs are kept by age alone by default: 14 days, however many.
      removeOnFail: { age: 14 * 24 * 3600 },
    });
    expect(callbackJobOptions(settings, callbackJobId('c', 'op', body), 5000).deduplication).toBeUndefined();
  });
});

describe('keepJobs', () => {
  // BullMQ removes a job at once on count 0 and keeps everything younger than now on age 0.
  it('leaves out a limit set to 0 instead of passing it to BullMQ', () => {
    expect(keepJobs({ count: 0, age: 60 })).toEqual({ age: 60 });
    expect(keepJobs({ count: 10, age: 0 })).toEqual({ count: 10 });
    expect(keepJobs({ count: 10, age: 60 })).toEqual({ count: 10, age: 60 });
    expect(keepJobs({ count: 0, age: 0 })).toBe(false);
  });
});

describe('createReceiveClock', () => {
  it('follows the wall clock and stays strictly increasing within a millisecond', () => {
    let wall = 1000;
    const clock = createReceiveClock(() => wall);
    expect([clock(), clock(), clock()]).toEqual([1000, 1000.001, 1000.002]);
    wall = 1001;
    expect(clock()).toBe(1001);
    wall = 900; // the wall clock stepped back
    expect(clock()).toBe(1001.001);
  });
});
