import { OpenImAuthError, OpenImUnreachableError } from '@openim-sync/openim-client';
import type { GroupReconcileResult } from '@openim-sync/projection';
import type { CallbackJobData, QueueSettings, ReconcileQueueWriter } from '@openim-sync/queue';
import { createLogger } from '@openim-sync/runtime';
import { type Job, UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createReconcileProcessor, routeJobs } from './reconcile-processor.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const settings = {
  attempts: 3,
  keepCompleted: { count: 10, age: 60 },
  keepFailed: { count: 10, age: 60 },
} as QueueSettings;
const job = (name: string, data: unknown = {}) => ({ id: 'j1', name, data }) as unknown as Job<CallbackJobData>;
const inSync = { outcome: 'in-sync' } as GroupReconcileResult;

function setup(reconcileGroup: (groupID: string) => Promise<GroupReconcileResult> = async () => inSync) {
  const added: Array<{ name: string; data: unknown; opts: unknown }> = [];
  const queue = {
    addBulk: async (jobs: typeof added) => {
      added.push(...jobs);
      return [];
    },
  } as unknown as ReconcileQueueWriter;
  const reconciler = {
    reconcileGroup,
    planAll: async () => ({ groupIDs: ['g1', 'g:2'], skipped: ['g3'] }),
  };
  const processor = createReconcileProcessor({ reconciler, queue, settings, logger });
  return { added, processor };
}

describe('reconcile jobs', () => {
  it('reconcile-all enqueues one group job per planned group, deduplicated per group', async () => {
    const { added, processor } = setup();
    expect(await processor(job('reconcile-all'))).toEqual({ reconcile: 'applied' });
    expect(added.map((j) => [j.name, j.data])).toEqual([
      ['reconcile-group', { groupID: 'g1' }],
      ['reconcile-group', { groupID: 'g:2' }],
    ]);
    expect(added[1]?.opts).toMatchObject({
      jobId: expect.stringMatching(/^reconcile-g_2-\d+$/),
      deduplication: { id: 'reconcile-g:2' },
      attempts: 3,
    });
  });

  it('fails a malformed job and refused credentials at once; retries an unreachable OpenIM', async () => {
    const { processor } = setup();
    await expect(processor(job('reconcile-group', {}))).rejects.toBeInstanceOf(UnrecoverableError);
    const refused = setup(async () => {
      throw new OpenImAuthError('OpenIM refused the admin credentials', { code: 1002, path: '/auth/get_admin_token' });
    });
    await expect(refused.processor(job('reconcile-group', { groupID: 'g1' }))).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
    const down = setup(async () => {
      throw new OpenImUnreachableError('cannot reach OpenIM', { code: 'ECONNREFUSED', path: '/x' });
    });
    await expect(down.processor(job('reconcile-group', { groupID: 'g1' }))).rejects.toBeInstanceOf(
      OpenImUnreachableError,
    );
  });

  it('routes reconcile jobs away from the callback processor', async () => {
    const seen: string[] = [];
    const callbacks = async (j: Job<CallbackJobData>) => {
      seen.push(`callback ${j.name}`);
      return {};
    };
    const reconcile = async (j: Job) => {
      seen.push(`reconcile ${j.name}`);
      return {};
    };
    const route = routeJobs(callbacks, reconcile);
    await route(job('callbackAfterJoinGroupCommand'));
    await route(job('reconcile-group'));
    await route(job('reconcile-all'));
    expect(seen).toEqual([
      'callback callbackAfterJoinGroupCommand',
      'reconcile reconcile-group',
      'reconcile reconcile-all',
    ]);
    await expect(routeJobs(callbacks, undefined)(job('reconcile-all'))).rejects.toThrow(/no OPENIM_API_URL/);
  });
});
