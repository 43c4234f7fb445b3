import type { Logger } from '@openim-sync/runtime';
import type { WorkerConfig } from '../config.js';
import { createHttpSink } from './http-sink.js';
import { createLogSink } from './log-sink.js';
import { createNoopSink } from './noop-sink.js';
import { createPostgresSink } from './postgres-sink.js';
import type { Sink } from './sink.js';

export type { ForwardedEvent } from './http-sink.js';
export type { Sink, SinkEvent, SinkOutcome } from './sink.js';
export { PermanentSinkError, RetryableSinkError } from './sink.js';

/** Builds the configured sinks, in the order SINKS names them. */
export async function createSinks(config: WorkerConfig, logger: Logger): Promise<Sink[]> {
  const sinks: Sink[] = [];
  try {
    for (const name of config.sinks) {
      if (name === 'postgres') sinks.push(await createPostgresSink({ ...config.database, logger }));
      else if (name === 'http') sinks.push(createHttpSink({ ...config.forward, url: config.forward.url as string }));
      else if (name === 'log') sinks.push(createLogSink(logger));
      else sinks.push(createNoopSink());
    }
    return sinks;
  } catch (err) {
    await Promise.all(sinks.map((sink) => sink.close()));
    throw err;
  }
}
