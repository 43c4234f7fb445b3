import type { Logger } from '@openim-sync/runtime';
import type { Sink } from './sink.js';

/** Writes each event to the log: for development and for watching what OpenIM sends. */
export function createLogSink(logger: Logger): Sink {
  return {
    name: 'log',
    async apply(item) {
      logger.info({ jobId: item.id, command: item.command, operationID: item.operationID, event: item.event }, 'event');
      return 'logged';
    },
    async close() {},
  };
}
