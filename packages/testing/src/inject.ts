import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    databaseUrl: string;
  }
}

/** URLs of the Redis and Postgres that the global setup found for this run. */
export function testServices(): { redisUrl: string; databaseUrl: string } {
  return { redisUrl: inject('redisUrl'), databaseUrl: inject('databaseUrl') };
}
