import { type FakeOpenIm, startFakeOpenIm } from '@openim-sync/openim-client/fake-openim';
import { migrate } from '@openim-sync/projection';
import { createTestSchema, type TestSchema, testServices } from '@openim-sync/testing';

/** What `jobs reconcile` works on: a migrated Postgres schema of the test's own and a fake OpenIM. */
export interface ReconcileServices {
  schema: TestSchema;
  fake: FakeOpenIm;
  /** The worker's variables pointing at both. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startReconcileServices(label: string): Promise<ReconcileServices> {
  const { databaseUrl } = testServices();
  const schema = await createTestSchema(databaseUrl, label);
  await migrate(schema.pool, schema.name);
  const fake = await startFakeOpenIm();
  return {
    schema,
    fake,
    env: {
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: schema.name,
      OPENIM_API_URL: fake.url,
      OPENIM_ADMIN_SECRET: fake.secret,
    },
    async close() {
      await fake.close();
      await schema.drop();
    },
  };
}
