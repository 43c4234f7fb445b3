export {
  createAdminConnection,
  createProducerConnection,
  createWorkerConnection,
  workerConnectionOptions,
} from './connection.js';
export type { InboxKeys, InboxRecord } from './inbox.js';
export {
  appendToInbox,
  INBOX_GROUP,
  inboxKeys,
  inboxLengths,
  keepRejected,
  readInboxFields,
  readRejectedFields,
  rejectedCap,
  rejectedEntryFields,
} from './inbox.js';
export type { CallbackJobData, JobRouting } from './job.js';
export {
  BACKOFF_TYPE,
  callbackJobId,
  callbackJobOptions,
  createReceiveClock,
  isContentJobId,
  presenceKeys,
  retryDelay,
} from './job.js';
export type { CallbackQueue } from './queue.js';
export { addCallbackJob, createCallbackQueue } from './queue.js';
export type { Announcer, RedisMemoryReading, RedisMemoryWatch, RedisMemoryWatchOptions } from './redis-memory.js';
export {
  aboveHighWater,
  announceChanges,
  createRedisMemoryWatch,
  inboxMoveRoom,
  MOVE_MEMORY_LIMIT,
  readMemory,
} from './redis-memory.js';
export type { RedisDurability, RedisSettingWarning } from './redis-settings.js';
export {
  parseRedisInfo,
  readRedisDurability,
  redisDurabilityWarnings,
  warnAboutRedisDurability,
} from './redis-settings.js';
export type { QueueEnv, QueueSettings } from './settings.js';
export { queueEnv, toQueueSettings } from './settings.js';
