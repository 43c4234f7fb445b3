import { createLogger } from '@openim-sync/runtime';
import type { CallbackEvent } from '@openim-sync/schema';
import { createTestSchema, type TestSchema } from '@openim-sync/testing';
import { afterAll, beforeAll, inject } from 'vitest';
import { createPostgresSink } from '../src/sinks/postgres/postgres-sink.js';
import type { Sink, SinkOutcome } from '../src/sinks/sink.js';

export interface PostgresSinkFixture {
  /** The test file's own schema (created before its tests, dropped after). */
  readonly schema: TestSchema;
  readonly sink: Sink;
  /** Applies an event as if the ingress had received it at `receivedAt`; a fresh job id unless given. */
  apply(event: CallbackEvent, receivedAt: number, id?: string): Promise<SinkOutcome>;
}

/** A postgres sink on a schema of the test file's own, for the whole file. */
export function usePostgresSink(label: string, poolSize = 4): PostgresSinkFixture {
  let schema: TestSchema | undefined;
  let sink: Sink | undefined;
  let seq = 0;
  beforeAll(async () => {
    schema = await createTestSchema(inject('databaseUrl'), label);
    sink = await createPostgresSink({
      url: inject('databaseUrl'),
      schema: schema.name,
      poolSize,
      batchMax: 64,
      logger: createLogger({ name: 'test', level: 'silent' }),
    });
  });
  afterAll(async () => {
    await sink?.close();
    await schema?.drop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the postgres sink fixture is used before its beforeAll ran');
    return value;
  };
  return {
    get schema() {
      return ready(schema);
    },
    get sink() {
      return ready(sink);
    },
    apply: (event, receivedAt, id = `e${++seq}`) =>
      ready(sink).apply({ id, command: 'test', operationID: 'op', receivedAt, event, payload: {} }),
  };
}
