export {
  createAdminConnection,
  createProducerConnection,
  createWorkerConnection,
  workerConnectionOptions,
} from './connection.js';
export type { InboxKeys, InboxRecord, RejectedTrim } from './inbox.js';
export {
  appendToInbox,
  INBOX_GROUP,
  inboxKeys,
  inboxLengths,
  keepRejected,
  readInboxFields,
  readRejectedFields,
  rejectedEntryFields,
  rejectedTrim,
} from './inbox.js';
export type { CallbackJobData, JobRouting } from './job.js';
export {
  BACKOFF_TYPE,
  callbackJobId,
  callbackJobOptions,
  createReceiveClock,
  isContentJobId,
  keepJobs,
  presenceKeys,
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
export { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule, retryDelay } from './retry-schedule.js';
export type { QueueEnv, QueueSettings, Retention } from './settings.js';
export { queueEnv, toQueueSettings } from './settings.js';
