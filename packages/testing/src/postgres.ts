import pg from 'pg';
import { uniqueName } from './names.js';

export interface TestSchema {
  name: string;
  pool: pg.Pool;
  /** Rows of a table in this schema, for assertions. */
  rows<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Drops the schema and everything in it, and closes the pool. */
  drop(): Promise<void>;
}

/** A fresh Postgres schema of this test's own, so concurrent runs never see each other's rows. */
export async function createTestSchema(databaseUrl: string, label: string): Promise<TestSchema> {
  const name = uniqueName(label);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  await pool.query(`CREATE SCHEMA "${name}"`);
  return {
    name,
    pool,
    rows: async (sql, params) => (await pool.query(sql.replaceAll('$schema', `"${name}"`), params)).rows,
    drop: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      await pool.end();
    },
  };
}
