import type { Logger } from '@openim-sync/runtime';
import pg from 'pg';
import { createBatchApply } from './apply-batch.js';
import { createGroupCommit } from './group-commit.js';
import { migrate, quoteIdent } from './migrations.js';
import { classifyPgError } from './pg-errors.js';
import { GroupLockNeeded } from './projection.js';
import type { ProjectionEvent, ProjectionOutcome } from './projection-event.js';
import { inTransaction } from './transaction.js';

export interface ProjectionWriterOptions {
  url: string;
  schema: string;
  poolSize: number;
  /** Most events in one transaction (group commit). */
  batchMax: number;
  logger: Logger;
}

/** Applies callback events to the projection, each exactly once. */
export interface ProjectionWriter {
  /**
   * Resolves once the transaction holding the event committed. Rejects with
   * an EventRefusedError when Postgres refused the event for good;
   * any other rejection is worth a retry.
   */
  apply(event: ProjectionEvent): Promise<ProjectionOutcome>;
  /** Idempotent. */
  close(): Promise<void>;
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
export async function createProjectionWriter({
  url,
  schema,
  poolSize,
  batchMax,
  logger,
}: ProjectionWriterOptions): Promise<ProjectionWriter> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000 });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', (err) => logger.warn({ err }, 'postgres connection lost'));
  const applied = await migrate(pool, schema);
  if (applied.length > 0) logger.info({ schema, versions: applied }, 'postgres migrations applied');

  const applyBatch = createBatchApply(quoteIdent(schema));
  // A transaction that must settle a transfer in a group it holds only shared runs again holding
  // that group exclusively (GroupLockNeeded: rare, an event older than a transfer arriving after it).
  async function transaction(
    items: ProjectionEvent[],
    exclusive: ReadonlySet<string> = new Set(),
  ): Promise<ProjectionOutcome[]> {
    try {
      return await inTransaction(pool, async (client) => ({
        commit: true,
        value: await applyBatch(client, items, exclusive),
      }));
    } catch (err) {
      if (!(err instanceof GroupLockNeeded) || [...err.groupIDs].every((g) => exclusive.has(g))) throw err;
      return transaction(items, new Set([...exclusive, ...err.groupIDs]));
    }
  }

  // A failed batch is rolled back and its events retried one transaction each: an event that
  // cannot be applied (bad data, a constraint) then fails alone and only its job is retried, or
  // fails for good when Postgres refused it for a reason a retry cannot change (classifyPgError).
  async function run(items: ProjectionEvent[]): Promise<PromiseSettledResult<ProjectionOutcome>[]> {
    try {
      return (await transaction(items)).map((value) => ({ status: 'fulfilled', value }));
    } catch (err) {
      if (items.length === 1) return [{ status: 'rejected', reason: classifyPgError(err) }];
      logger.warn({ err, events: items.length }, 'batch failed: applying its events one by one');
      return Promise.allSettled(
        items.map(async (item) => {
          try {
            return (await transaction([item]))[0] as ProjectionOutcome;
          } catch (itemErr) {
            throw classifyPgError(itemErr);
          }
        }),
      );
    }
  }
  const commits = createGroupCommit({ maxBatch: batchMax, maxRunning: poolSize, run });
  let closed: Promise<void> | undefined;

  return {
    apply: (item: ProjectionEvent) => commits.submit(item),
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}
