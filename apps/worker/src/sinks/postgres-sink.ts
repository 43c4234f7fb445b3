import {
  createProjectionWriter,
  EventRefusedError,
  type ProjectionWriter,
  type ProjectionWriterOptions,
} from '@openim-sync/projection';
import { PermanentSinkError, type Sink } from './sink.js';

/**
 * The projection writer as a sink: an event Postgres refused for good
 * fails its job at once (PermanentSinkError); any other failure is retried.
 */
export function toPostgresSink(writer: ProjectionWriter): Sink {
  return {
    name: 'postgres',
    async apply(event) {
      try {
        return await writer.apply(event);
      } catch (err) {
        if (err instanceof EventRefusedError) throw new PermanentSinkError(err.message, { cause: err });
        throw err;
      }
    },
    close: () => writer.close(),
  };
}

/** The postgres sink: migrates the projection's schema, then applies events to it (packages/projection). */
export async function createPostgresSink(options: ProjectionWriterOptions): Promise<Sink> {
  return toPostgresSink(await createProjectionWriter(options));
}
