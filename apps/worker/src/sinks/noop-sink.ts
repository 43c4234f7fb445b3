import type { Sink } from './sink.js';

/**
 * Does nothing. For benchmarks: the worker's own overhead (fetch, validate,
 * complete) measured against a bare BullMQ worker.
 */
export function createNoopSink(): Sink {
  return {
    name: 'noop',
    async apply() {
      return 'skipped';
    },
    async close() {},
  };
}
