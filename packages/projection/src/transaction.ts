import type pg from 'pg';

/**
 * Runs `work` in one transaction on a client of `pool`, then commits or
 * rolls back as it says; rolls back when it throws. Resolves only after
 * COMMIT has returned, so the caller's effects are durable by then.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<{ commit: boolean; value: T }>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // The pool listens for errors of idle clients only: a connection lost while this
  // transaction holds the client emits 'error' on it, which must not crash the process.
  const onError = (err: Error) => {
    broken = err;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const { commit, value } = await work(client);
    await client.query(commit ? 'COMMIT' : 'ROLLBACK');
    return value;
  } catch (err) {
    // A client whose ROLLBACK fails is broken: drop it instead of pooling it.
    await client.query('ROLLBACK').catch((rollbackErr: Error) => {
      broken = rollbackErr;
    });
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
