import { findCommand } from '@openim-sync/schema';
import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type CallbackJobData, callbackJobOptions, type JobRouting, presenceKeys } from './job.js';
import type { QueueSettings } from './settings.js';

export type CallbackQueue = Queue<CallbackJobData, unknown, string>;

/** The callback queue on an existing connection (the caller owns and closes it). */
export function createCallbackQueue(settings: QueueSettings, connection: Redis): CallbackQueue {
  return new Queue<CallbackJobData, unknown, string>(settings.name, {
    connection,
    prefix: settings.prefix,
  });
}

/** One callback to add under its job id. */
export interface CallbackJob {
  data: CallbackJobData;
  jobId: string;
}

type Planned = { name: string; data: CallbackJobData; opts: JobsOptions; clears?: ReturnType<typeof presenceKeys> };

/** The job's lane, deduplication and, for a presence report, the coalescing key its add must clear. */
function plan(settings: QueueSettings, { data, jobId }: CallbackJob): Planned {
  const routing: JobRouting = { highVolume: findCommand(data.command)?.volume === 'high' };
  const presence = data.event.type === 'user.presence' ? presenceKeys(data.event) : undefined;
  if (presence) routing.coalesceKey = presence.key;
  const planned: Planned = {
    name: data.command,
    data,
    opts: callbackJobOptions(settings, jobId, settings.contentDedupMs, routing),
  };
  // A change of state must not be coalesced away by an earlier report of the other state.
  if (presence && settings.presenceCoalesceMs) planned.clears = presence;
  return planned;
}

/**
 * Adds callbacks to the queue under their job ids, in their lanes, with
 * their deduplication: what the inbox mover does for a batch of entries.
 * Adding an id that is already there, or within its deduplication window,
 * adds nothing, so a batch added twice (a mover that died before its
 * acknowledgement) makes each job once. Resolves once Redis holds them all;
 * rejects if any add failed (the others may be in).
 *
 * The adds go out as one pipeline (`addBulk`): one write and one round trip
 * for the batch instead of one per job. Presence reports that clear a
 * coalescing key go in runs of distinct users, one run after the other, in
 * order: a report's add must see the key the one before it cleared (online,
 * offline, online in one batch would otherwise lose the last online).
 */
export async function addCallbackJobs(
  queue: CallbackQueue,
  settings: QueueSettings,
  jobs: readonly CallbackJob[],
): Promise<void> {
  const planned = jobs.map((job) => plan(settings, job));
  const plain = planned.filter((p) => !p.clears);
  const clearing = planned.filter((p) => p.clears);
  await Promise.all([plain.length > 0 ? queue.addBulk(plain) : undefined, addInRuns(queue, clearing)]);
}

/** One callback; see {@link addCallbackJobs}. */
export function addCallbackJob(
  queue: CallbackQueue,
  settings: QueueSettings,
  data: CallbackJobData,
  jobId: string,
): Promise<void> {
  return addCallbackJobs(queue, settings, [{ data, jobId }]);
}

async function addInRuns(queue: CallbackQueue, clearing: Planned[]): Promise<void> {
  for (let start = 0; start < clearing.length; ) {
    const run: Planned[] = [];
    const keys = new Set<string>();
    for (const p of clearing.slice(start)) {
      const { key, opposite } = p.clears as NonNullable<Planned['clears']>;
      if (keys.has(key)) break;
      keys.add(key).add(opposite);
      run.push(p);
    }
    await queue.addBulk(run);
    await Promise.all(run.map((p) => queue.removeDeduplicationKey(p.clears?.opposite as string)));
    start += run.length;
  }
}
