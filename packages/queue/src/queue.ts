import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CallbackJobData } from './job.js';
import type { QueueSettings } from './settings.js';

export type CallbackQueue = Queue<CallbackJobData, unknown, string>;

/** The callback queue on an existing connection (the caller owns and closes it). */
export function createCallbackQueue(settings: QueueSettings, connection: Redis): CallbackQueue {
  return new Queue<CallbackJobData, unknown, string>(settings.name, {
    connection,
    prefix: settings.prefix,
  });
}
