import { env } from '@openim-sync/runtime';
import { z } from 'zod';

/** Where the projection lives; the worker's config and the `jobs` tool merge this shape. */
export const databaseEnv = {
  DATABASE_URL: env.url(['postgres', 'postgresql']).default('postgres://postgres@127.0.0.1:5432/postgres').meta({
    description:
      'Postgres holding the projection (the postgres sink, reconciliation); URL-encode special characters in the password.',
  }),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier')
    .default('public')
    .meta({ description: "Schema of the projection's tables; created and migrated when the worker starts." }),
} as const;

export type DatabaseEnv = z.output<z.ZodObject<typeof databaseEnv>>;

/** The projection's Postgres: a connection URL and the (unquoted) schema name. */
export interface DatabaseConfig {
  url: string;
  schema: string;
}

export function toDatabaseConfig(e: DatabaseEnv): DatabaseConfig {
  return { url: e.DATABASE_URL, schema: e.DATABASE_SCHEMA };
}
