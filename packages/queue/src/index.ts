export {
  createAdminConnection,
  createProducerConnection,
  createWorkerConnection,
  workerConnectionOptions,
} from './connection.js';
// The inbox module names its exports in its own index.
export * from './inbox/index.js';
export type { CallbackJobData, JobRouting, ReconcileJobData, ReconcileJobName } from './job.js';
export {
  BACKOFF_TYPE,
  callbackJobId,
  callbackJobOptions,
  createReceiveClock,
  isContentJobId,
  isReconcileJob,
  keepJobs,
  presenceKeys,
  RECONCILE_ALL,
  RECONCILE_GROUP,
  reconcileAllJobOptions,
  reconcileGroupJobOptions,
  reconcileQueueName,
} from './job.js';
export type { CallbackJob, CallbackQueue } from './queue.js';
export { addCallbackJob, addCallbackJobs, createCallbackQueue } from './queue.js';
export type { ReconcileQueue, ReconcileQueueWriter } from './reconcile-queue.js';
export {
  createReconcileQueue,
  enqueueGroupReconciles,
  removeLegacyReconcileSchedule,
  requestReconcileAll,
  scheduleReconcileAll,
} from './reconcile-queue.js';
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
