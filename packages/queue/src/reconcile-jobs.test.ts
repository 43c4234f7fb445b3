import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isReconcileJob, reconcileAllJobOptions, reconcileGroupJobOptions, reconcileQueueName } from './job.js';
import { type QueueSettings, queueEnv, toQueueSettings } from './settings.js';

const settings: QueueSettings = toQueueSettings(z.object(queueEnv).parse({}));

describe('reconcile jobs', () => {
  it('have a queue of their own, beside the callback queue, and names no command has', () => {
    expect(reconcileQueueName(settings)).toBe('openim-callbacks-reconcile');
    expect(['reconcile-all', 'reconcile-group', 'callbackAfterJoinGroupCommand'].map(isReconcileJob)).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('keep finished jobs as the callbacks do; a full reconcile is tried once', () => {
    const kept = { removeOnComplete: { age: 3600, count: 1000 }, removeOnFail: { age: 14 * 24 * 3600 } };
    expect(reconcileAllJobOptions(settings)).toEqual({ attempts: 1, ...kept });
    expect(reconcileGroupJobOptions(settings, 'g:1', 5)).toEqual({
      jobId: 'reconcile-g_1-5',
      deduplication: { id: 'reconcile-g:1' },
      attempts: settings.attempts,
      backoff: { type: 'jittered' },
      ...kept,
    });
  });
});
