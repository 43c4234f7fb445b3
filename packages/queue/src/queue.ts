import { findCommand } from '@openim-sync/schema';
import { Queue } from 'bullmq';
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

/**
 * Adds one callback to the queue under its job id, in its lane, with its
 * deduplication: what a worker's inbox mover does for an inbox entry. Adding an id that is already there,
 * or within its deduplication window, adds nothing.
 */
export async function addCallbackJob(
  queue: CallbackQueue,
  settings: QueueSettings,
  data: CallbackJobData,
  jobId: string,
): Promise<void> {
  const routing: JobRouting = { highVolume: findCommand(data.command)?.volume === 'high' };
  const presence = data.event.type === 'user.presence' ? presenceKeys(data.event) : undefined;
  if (presence) routing.coalesceKey = presence.key;
  await queue.add(data.command, data, callbackJobOptions(settings, jobId, settings.contentDedupMs, routing));
  // A change of state must not be coalesced away by an earlier report of the other state.
  if (presence && settings.presenceCoalesceMs) await queue.removeDeduplicationKey(presence.opposite);
}
