import type { Logger } from '@openim-sync/runtime';
import pg from 'pg';
import type { Sink, SinkEvent } from '../sink.js';
import { type BatchOutcome, createBatchApply } from './apply-batch.js';
import { createGroupCommit } from './group-commit.js';
import { migrate, quoteIdent } from './migrations.js';
import { inTransaction } from './transaction.js';

export interface PostgresSinkOptions {
  url: string;
  schema: string;
  poolSize: number;
  /** Most events in one transaction (group commit). */
  batchMax: number;
  logger: Logger;
}

/**
 * The App's projections: group membership, user profiles, presence. Events
 * are applied by group commit: while every pooled connection is busy, the
 * events that arrive wait and go together in the next transaction, so under
 * load one transaction (a handful of round trips and one commit) carries
 * many events. `apply` resolves only after the transaction holding its event
 * has committed. Each transaction first records its events' ids in
 * `applied_events`: a retry or a second delivery of the same job finds its id
 * and changes nothing, so the effect lands exactly once however often the job
 * runs.
 */
export async function createPostgresSink({
  url,
  schema,
  poolSize,
  batchMax,
  logger,
}: PostgresSinkOptions): Promise<Sink> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000 });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', (err) => logger.warn({ err: err.message }, 'postgres connection lost'));
  const applied = await migrate(pool, schema);
  if (applied.length > 0) logger.info({ schema, versions: applied }, 'postgres migrations applied');

  const applyBatch = createBatchApply(quoteIdent(schema));
  const transaction = (items: SinkEvent[]) =>
    inTransaction(pool, async (client) => ({ commit: true, value: await applyBatch(client, items) }));

  // A failed batch is rolled back and its events retried one transaction each: an event that
  // cannot be applied (bad data, a constraint) then fails alone and only its job is retried.
  async function run(items: SinkEvent[]): Promise<PromiseSettledResult<BatchOutcome>[]> {
    try {
      return (await transaction(items)).map((value) => ({ status: 'fulfilled', value }));
    } catch (err) {
      if (items.length === 1) return [{ status: 'rejected', reason: err }];
      logger.warn(
        { err: (err as Error).message, events: items.length },
        'batch failed: applying its events one by one',
      );
      return Promise.allSettled(items.map(async (item) => (await transaction([item]))[0] as BatchOutcome));
    }
  }
  const commits = createGroupCommit({ maxBatch: batchMax, maxRunning: poolSize, run });
  let closed: Promise<void> | undefined;

  return {
    name: 'postgres',
    apply: (item: SinkEvent) => commits.submit(item),
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}
