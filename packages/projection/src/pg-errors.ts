import pg from 'pg';

// 23505 (a duplicate key) and 23503 (a missing referenced row) can come from a race with another
// transaction, which a retry resolves; the rest of class 23 says the data itself breaks a rule.
const RETRYABLE_INTEGRITY = new Set(['23505', '23503']);
const PERMANENT_CLASSES: Record<string, string> = {
  '22': 'data exception',
  '23': 'integrity constraint violation',
  '54': 'program limit exceeded',
};

/**
 * Whether Postgres refused an event for a reason a retry cannot change: a
 * data exception (class 22: text it cannot hold, a number or time out of
 * range), a program limit (class 54: an index entry over the btree limit of
 * about 2.7 kB, e.g. a very long id), or an integrity rule the data breaks
 * (class 23, but for the two codes a concurrent writer can cause). A
 * connection lost, a deadlock, a lock or statement timeout, or a server
 * shutting down are worth retrying.
 */
export function isPermanentPgError(err: unknown): err is pg.DatabaseError {
  if (!(err instanceof pg.DatabaseError) || typeof err.code !== 'string') return false;
  return Object.hasOwn(PERMANENT_CLASSES, err.code.slice(0, 2)) && !RETRYABLE_INTEGRITY.has(err.code);
}

/**
 * Postgres refused an event for good (see {@link isPermanentPgError}):
 * retrying it cannot help. The cause is the server's error.
 */
export class EventRefusedError extends Error {
  override name = 'EventRefusedError';
}

/** `err` as the writer reports it: an {@link EventRefusedError} when retrying cannot help, else unchanged. */
export function classifyPgError(err: unknown): unknown {
  if (!isPermanentPgError(err)) return err;
  const kind = PERMANENT_CLASSES[(err.code as string).slice(0, 2)];
  return new EventRefusedError(`refused for good (SQLSTATE ${err.code}, ${kind}): ${err.message}`, { cause: err });
}
