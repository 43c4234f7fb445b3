import type { Logger } from '@openim-sync/runtime';
import { eventGroupID } from '@openim-sync/schema';
import pg from 'pg';
import type { Sink, SinkEvent } from '../sink.js';
import { migrate, quoteIdent } from './migrations.js';
import { createProjection } from './projection.js';
import { createUserProjection } from './user-projection.js';

export interface PostgresSinkOptions {
  url: string;
  schema: string;
  poolSize: number;
  logger: Logger;
}

/**
 * The App's projections: group membership, user profiles, presence. Each event is applied in one
 * transaction that first records its id in `applied_events`: a retry or a
 * second delivery of the same job finds the id and changes nothing, so the
 * effect lands exactly once however often the job runs.
 */
export async function createPostgresSink({ url, schema, poolSize, logger }: PostgresSinkOptions): Promise<Sink> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000 });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', (err) => logger.warn({ err: err.message }, 'postgres connection lost'));
  const applied = await migrate(pool, schema);
  if (applied.length > 0) logger.info({ schema, versions: applied }, 'postgres migrations applied');

  const s = quoteIdent(schema);
  const projections = [createProjection(s), createUserProjection(s)];
  const recordSql = `
    INSERT INTO ${s}.applied_events (event_id, command, group_id, received_at)
    VALUES ($1, $2, $3, to_timestamp($4::bigint / 1000000.0))
    ON CONFLICT (event_id) DO NOTHING`;
  let closed: Promise<void> | undefined;

  return {
    name: 'postgres',
    async apply(item: SinkEvent) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // The pool listens for errors of idle clients only: a connection lost while this
      // job holds the client emits 'error' on it, which must not crash the process.
      const onError = (err: Error) => {
        broken = err;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        // Versions are µs: receivedAt carries µs fractions that order callbacks of the same ms.
        const version = Math.round(item.receivedAt * 1000);
        const recorded = await client.query(recordSql, [item.id, item.command, eventGroupID(item.event), version]);
        if (recorded.rowCount === 0) {
          await client.query('ROLLBACK');
          return 'already-applied';
        }
        for (const projection of projections) await projection.apply(client, item.event, version);
        await client.query('COMMIT');
        return 'applied';
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
    },
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}
