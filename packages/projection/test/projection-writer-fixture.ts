import { createLogger } from '@openim-sync/runtime';
import type { CallbackEvent } from '@openim-sync/schema';
import { createTestSchema, type TestSchema } from '@openim-sync/testing';
import { afterAll, beforeAll, inject } from 'vitest';
import { createProjectionWriter, type ProjectionOutcome, type ProjectionWriter } from '../src/index.js';

export interface ProjectionWriterFixture {
  /** The test file's own schema (created before its tests, dropped after). */
  readonly schema: TestSchema;
  readonly writer: ProjectionWriter;
  /** Applies an event as if the ingress had received it at `receivedAt`; a fresh job id unless given. */
  apply(event: CallbackEvent, receivedAt: number, id?: string): Promise<ProjectionOutcome>;
}

/** A projection writer on a schema of the test file's own, for the whole file. */
export function useProjectionWriter(label: string, poolSize = 4): ProjectionWriterFixture {
  let schema: TestSchema | undefined;
  let writer: ProjectionWriter | undefined;
  let seq = 0;
  beforeAll(async () => {
    schema = await createTestSchema(inject('databaseUrl'), label);
    writer = await createProjectionWriter({
      url: inject('databaseUrl'),
      schema: schema.name,
      poolSize,
      batchMax: 64,
      logger: createLogger({ name: 'test', level: 'silent' }),
    });
  });
  afterAll(async () => {
    await writer?.close();
    await schema?.drop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the projection writer fixture is used before its beforeAll ran');
    return value;
  };
  return {
    get schema() {
      return ready(schema);
    },
    get writer() {
      return ready(writer);
    },
    apply: (event, receivedAt, id = `e${++seq}`) => ready(writer).apply({ id, command: 'test', receivedAt, event }),
  };
}
