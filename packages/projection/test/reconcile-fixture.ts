import { createOpenImClient } from '@openim-sync/openim-client';
import { type FakeOpenIm, type FakeOpenImOptions, startFakeOpenIm } from '@openim-sync/openim-client/fake-openim';
import { createLogger, type Logger } from '@openim-sync/runtime';
import type { CallbackEvent } from '@openim-sync/schema';
import { createTestSchema, type TestSchema } from '@openim-sync/testing';
import pg from 'pg';
import { inject } from 'vitest';
import {
  createProjectionWriter,
  createReconciler,
  migrate,
  type ProjectionWriter,
  type Reconciler,
} from '../src/index.js';
import { memberEvents } from './member-events.js';

export const logger: Logger = createLogger({ name: 'test', level: 'silent' });

/** A test schema with the projection, a fake OpenIM, a reconciler between them, and the writer callbacks go through. */
export interface ReconcileFixture {
  schema: TestSchema;
  fake: FakeOpenIm;
  writer: ProjectionWriter;
  pool: pg.Pool;
  reconciler: Reconciler;
  /** Applies a callback as if the ingress had received it at `receivedAt` (ms, default now). */
  callback(event: CallbackEvent, receivedAt?: number): Promise<unknown>;
  /** A group's members as `user:role` strings, sorted. */
  members(groupID: string): Promise<string[]>;
  /** Every projection row of the schema without its versions and timestamps of the write. */
  rows(): Promise<unknown[]>;
  close(): Promise<void>;
}

export async function createReconcileFixture(
  label: string,
  fakeOptions: FakeOpenImOptions = {},
): Promise<ReconcileFixture> {
  const databaseUrl = inject('databaseUrl');
  const schema = await createTestSchema(databaseUrl, label);
  await migrate(schema.pool, schema.name);
  const fake = await startFakeOpenIm(fakeOptions);
  const writer = await createProjectionWriter({
    url: databaseUrl,
    schema: schema.name,
    poolSize: 4,
    batchMax: 64,
    logger,
  });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 3 });
  const openim = createOpenImClient({
    baseUrl: fake.url,
    secret: fake.secret,
    adminUserID: 'imAdmin',
    timeoutMs: 10_000,
  });
  const reconciler = createReconciler({ pool, schema: schema.name, openim, logger });
  let sequence = 0;

  return {
    schema,
    fake,
    writer,
    pool,
    reconciler,
    callback: (event, receivedAt = Date.now()) =>
      writer.apply({
        id: `cb-${label}-${++sequence}`,
        command: 'test',
        receivedAt,
        event,
      }),
    async members(groupID) {
      const rows = await schema.rows<{ user_id: string; role_level: number }>(
        'SELECT user_id, role_level FROM $schema.group_members WHERE group_id = $1 ORDER BY user_id',
        [groupID],
      );
      return rows.map((r) => `${r.user_id}:${r.role_level}`);
    },
    rows: () =>
      schema.rows(
        `SELECT group_id, user_id, role_level, join_source, req_message, nickname, face_url, ex, group_ex, joined_at
           FROM $schema.group_members ORDER BY group_id, user_id`,
      ),
    async close() {
      await writer.close();
      await pool.end();
      await fake.close();
      await schema.drop();
    },
  };
}

/** Callback events, as the catalog normalises them. */
export const events = {
  created: (groupID: string, members: Array<[string, number]>, createTime: number | null = null): CallbackEvent => ({
    type: 'group.created',
    groupID,
    groupName: groupID,
    ownerUserID: members[0]?.[0] ?? null,
    creatorUserID: members[0]?.[0] ?? null,
    createTime,
    ex: null,
    members: members.map(([userID, roleLevel]) => ({ userID, roleLevel })),
  }),
  joined: (groupID: string, userID: string): CallbackEvent => memberEvents.joined(groupID, userID, 'hello'),
  quit: memberEvents.quit,
  role: memberEvents.role,
};
