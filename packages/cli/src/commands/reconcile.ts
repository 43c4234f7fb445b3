import { createOpenImClient, OpenImAuthError, OpenImUnreachableError } from '@openim-sync/openim-client';
import {
  createReconciler,
  databaseEnv,
  migrate,
  type Reconciler,
  reconcileEnv,
  toReconcileConfig,
} from '@openim-sync/projection';
import { ConfigError, createLogger, parseEnv, redactUrl } from '@openim-sync/runtime';
import pg from 'pg';
import { z } from 'zod';
import { type Command, EXIT, flagValue, type StandaloneContext, stringValue, usage } from '../command.js';
import { createProgress, writeLine } from '../output.js';
import { addToTotals, emptyTotals, groupReport, summary } from './reconcile-report.js';

/** The worker's Postgres and OpenIM variables: the same definitions, defaults included. */
export const ReconcileEnv = z.object({ ...reconcileEnv, ...databaseEnv });

interface Options {
  groupID: string | undefined;
  dryRun: boolean;
  json: boolean;
}

/** Raised when Postgres does not answer; the message names where. */
class PostgresUnreachableError extends Error {
  override name = 'PostgresUnreachableError';
}

async function reconcile(ctx: StandaloneContext, options: Options): Promise<number> {
  let parsed: z.output<typeof ReconcileEnv>;
  try {
    parsed = parseEnv(ReconcileEnv, ctx.env);
  } catch (err) {
    await writeLine(ctx.err, `openim-sync jobs reconcile: ${err instanceof ConfigError ? err.message : String(err)}`);
    return EXIT.error;
  }
  const config = toReconcileConfig(parsed);
  if (!config) {
    await writeLine(
      ctx.err,
      'openim-sync jobs reconcile: set OPENIM_API_URL and OPENIM_ADMIN_SECRET (as for the worker)',
    );
    return EXIT.error;
  }
  const pool = new pg.Pool({ connectionString: parsed.DATABASE_URL, max: 2, connectionTimeoutMillis: 5000 });
  pool.on('error', () => {});
  const openim = createOpenImClient(config.openim);
  const logger = createLogger({ name: 'jobs', level: 'silent' });
  const reconciler = createReconciler({ pool, schema: parsed.DATABASE_SCHEMA, openim, logger });
  try {
    await pool.query('SELECT 1').catch((err: Error) => {
      // The message is the whole of what the user sees; the cause is for a debugger.
      throw new PostgresUnreachableError(`cannot reach Postgres at ${redactUrl(parsed.DATABASE_URL)}: ${err.message}`, {
        cause: err,
      });
    });
    // A dry run changes nothing, tables included; a real run brings the schema up to date as the worker would.
    if (!options.dryRun) await migrate(pool, parsed.DATABASE_SCHEMA);
    return await reconcileGroups(ctx, reconciler, options);
  } catch (err) {
    await writeLine(ctx.err, `openim-sync jobs reconcile: ${explain(err, config.openim.baseUrl)}`);
    return EXIT.error;
  } finally {
    await pool.end().catch(() => {});
  }
}

async function reconcileGroups(ctx: StandaloneContext, reconciler: Reconciler, options: Options): Promise<number> {
  const groupIDs =
    options.groupID !== undefined ? [options.groupID] : (await reconciler.planAll({ skipUnchanged: false })).groupIDs;
  const totals = emptyTotals();
  const progress = createProgress(ctx.err, 'reconciled groups', groupIDs.length);
  for (const [index, groupID] of groupIDs.entries()) {
    try {
      const result = await reconciler.reconcileGroup(groupID, { dryRun: options.dryRun });
      addToTotals(totals, result);
      if (options.json) {
        progress.clear();
        await writeLine(ctx.out, JSON.stringify(result));
      } else if (result.outcome === 'repaired' || options.groupID !== undefined) {
        progress.clear();
        for (const line of groupReport(result)) await writeLine(ctx.out, line);
      }
    } catch (err) {
      progress.clear();
      // Credentials and reachability concern every group: stop. Anything else concerns this one.
      if (err instanceof OpenImAuthError || err instanceof OpenImUnreachableError) throw err;
      totals.failed++;
      await writeLine(ctx.err, `openim-sync jobs reconcile: group ${groupID}: ${(err as Error).message}`);
    }
    // --all: on a terminal, how far it got (nothing for one group).
    if (options.groupID === undefined) progress.update(index + 1);
  }
  progress.clear();
  if (!options.json) await writeLine(ctx.out, summary(totals, options.dryRun));
  return totals.failed > 0 ? EXIT.error : EXIT.ok;
}

function explain(err: unknown, baseUrl: string): string {
  if (err instanceof OpenImAuthError)
    return `cannot use OpenIM at ${redactUrl(baseUrl).replace(/\/$/, '')}: ${err.message}`;
  return (err as Error).message;
}

/** `jobs reconcile`: compare the projection with OpenIM and repair it. */
export const reconcileCommand: Command = {
  name: 'reconcile',
  summary: 'compare group membership in Postgres with OpenIM and repair what differs',
  usage: ['(--group G | --all) [--dry-run] [--json]'],
  description: `Reads a group's members from OpenIM's REST API and makes the Postgres
projection (group_members) equal to them: members OpenIM has are added,
members it does not have are removed, roles and member fields are
corrected, and a group OpenIM dismissed or does not know is dropped.
Prints what differed, per group, then a summary line.

It runs right here, against Postgres and OpenIM (not through the queue), so
it works whether or not workers run, and takes the same care as they do:
a callback the ingress receives while it runs is newer and wins.

--all looks at every group OpenIM lists plus every group the projection
has members of (OpenIM's list leaves dismissed groups out), without the
worker's skip for unchanged groups; on a terminal it shows its progress.`,
  options: [
    { flags: '--group <G>', help: 'one group' },
    { flags: '--all', help: 'every group' },
    { flags: '--dry-run', help: 'print what differs; change nothing' },
    {
      flags: '--json',
      help: 'one JSON object per group ({groupID, added, removed, updated, dismissed, outcome, readAt})',
    },
  ],
  epilog: `Environment (the worker's; see docs/configuration.md): DATABASE_URL,
DATABASE_SCHEMA, OPENIM_API_URL, OPENIM_ADMIN_SECRET, OPENIM_ADMIN_USER_ID,
OPENIM_TIMEOUT_MS.

Exit codes: 0 done (differences found or not), 1 OpenIM unreachable or
refusing the credentials, Postgres unreachable, or a group that failed.

Example:
  openim-sync jobs reconcile --all --dry-run`,
  positionals: false,
  prepare(args) {
    const groupID = stringValue(args, 'group');
    const all = flagValue(args, 'all');
    if (groupID === undefined && !all) return usage('name a group with --group G, or --all');
    if (groupID !== undefined && all) return usage('give --group or --all, not both');
    if (groupID === '') return usage('--group needs a group id');
    const options = { groupID, dryRun: flagValue(args, 'dry-run'), json: flagValue(args, 'json') };
    return { ok: true, standalone: (ctx) => reconcile(ctx, options) };
  },
};
