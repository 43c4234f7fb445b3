import {
  countRejected,
  inboxKeys,
  newestRejected,
  oldestRejected,
  type RejectedEntry,
  readRejected,
  redriveRejected,
  STREAM_ID,
} from '@openim-sync/queue';
import { type Command, type CommandContext, EXIT, flagValue, stringValue, usage } from '../command.js';
import { parseLimit } from '../duration.js';
import { formatTable, isoTime, shorten } from '../format.js';
import { createProgress, writeLine } from '../output.js';

const HEADER = ['ID', 'COMMAND', 'OPERATION ID', 'RECEIVED AT', 'REASON'];

/** One line of `jobs inbox --json`; what a malformed entry lacks is null. */
function toLine(entry: RejectedEntry) {
  const record = entry.record.ok ? entry.record.value : undefined;
  return {
    id: entry.id,
    entry: entry.entry,
    command: record?.command ?? null,
    operationID: record?.operationID ?? null,
    receivedAt: isoTime(record?.receivedAt),
    reason: entry.reason,
  };
}

function row(entry: RejectedEntry): string[] {
  const line = toLine(entry);
  return [line.id, line.command ?? '-', line.operationID || '-', line.receivedAt ?? '-', shorten(line.reason, 60)];
}

async function list({ redis, settings, out, err }: CommandContext, limit: number | undefined, json: boolean) {
  const entries = newestRejected(redis, inboxKeys(settings), limit);
  if (json) {
    for await (const entry of entries) await writeLine(out, JSON.stringify(toLine(entry)));
    return EXIT.ok;
  }
  const rows: string[][] = [];
  for await (const entry of entries) rows.push(row(entry));
  if (rows.length === 0) await writeLine(err, 'no rejected inbox entries');
  else for (const line of formatTable([HEADER, ...rows])) await writeLine(out, line);
  return EXIT.ok;
}

interface Tally {
  done: number;
  skipped: number;
  errors: number;
}

async function finish(ctx: CommandContext, tally: Tally, dryRun: boolean, json: boolean) {
  if (json) return tally.errors > 0 ? EXIT.error : EXIT.ok;
  const head = dryRun ? `would redrive ${tally.done}` : `redrove ${tally.done}`;
  await writeLine(ctx.out, `${head}, skipped ${tally.skipped} (malformed, kept), errors ${tally.errors}`);
  return tally.errors > 0 ? EXIT.error : EXIT.ok;
}

/** A `--redrive --json` line: the entry as listed (or its id alone when unknown), and what became of it. */
function outcomeLine(id: string, entry: RejectedEntry | undefined, outcome: string, inbox?: string) {
  return JSON.stringify({ ...(entry ? toLine(entry) : { id }), outcome, ...(inbox ? { inbox } : {}) });
}

/** `--redrive <id…>`: a line per id; unknown ids make the exit code 1. */
async function redriveIds(ctx: CommandContext, ids: string[], dryRun: boolean, json: boolean) {
  const keys = inboxKeys(ctx.settings);
  const tally: Tally = { done: 0, skipped: 0, errors: 0 };
  for (const id of ids) {
    const entry = await readRejected(ctx.redis, keys, id);
    if (!entry) {
      tally.errors++;
      if (json) await writeLine(ctx.out, outcomeLine(id, entry, 'unknown'));
      else await writeLine(ctx.err, `${id}: no rejected entry with this id`);
    } else if (!entry.record.ok) {
      tally.skipped++;
      if (json) await writeLine(ctx.out, outcomeLine(id, entry, 'skipped'));
      else await writeLine(ctx.err, `${id}: malformed (${entry.record.reason}), kept`);
    } else if (dryRun) {
      tally.done++;
      await writeLine(ctx.out, json ? outcomeLine(id, entry, 'would-redrive') : `would redrive ${id}`);
    } else {
      const inboxId = await redriveRejected(ctx.redis, keys, id, entry.record.value);
      tally.done++;
      await writeLine(ctx.out, json ? outcomeLine(id, entry, 'redrove', inboxId) : `redrove ${id} (inbox ${inboxId})`);
    }
  }
  return finish(ctx, tally, dryRun, json);
}

/** `--redrive --all`: every entry there was at the start, oldest first, so the inbox keeps their order. */
async function redriveAll(ctx: CommandContext, dryRun: boolean, json: boolean) {
  const keys = inboxKeys(ctx.settings);
  const tally: Tally = { done: 0, skipped: 0, errors: 0 };
  const rows: string[][] = [];
  const progress = createProgress(ctx.err, 'redrove', dryRun ? 0 : await countRejected(ctx.redis, keys));
  for await (const entry of oldestRejected(ctx.redis, keys)) {
    let outcome = 'skipped';
    let inboxId: string | undefined;
    if (!entry.record.ok) tally.skipped++;
    else {
      if (dryRun) rows.push(row(entry));
      else inboxId = await redriveRejected(ctx.redis, keys, entry.id, entry.record.value);
      tally.done++;
      outcome = dryRun ? 'would-redrive' : 'redrove';
    }
    if (json) {
      progress.clear();
      await writeLine(ctx.out, outcomeLine(entry.id, entry, outcome, inboxId));
    }
    if (!dryRun) progress.update(tally.done + tally.skipped);
  }
  progress.clear();
  if (rows.length > 0 && !json) for (const line of formatTable([HEADER, ...rows])) await writeLine(ctx.out, line);
  return finish(ctx, tally, dryRun, json);
}

/** `jobs inbox`: the inbox's rejected entries, and putting them back. */
export const inboxCommand: Command = {
  name: 'inbox',
  summary: 'callbacks refused for their body or no worker could turn into a job; --redrive puts them back',
  usage: ['[--limit N] [--json]', '--redrive <id…> [--dry-run] [--json]', '--redrive --all [--dry-run] [--json]'],
  description: `The ingress acknowledges a callback once it is in the
queue's inbox (a Redis stream), and the workers move it into the queue. A
callback the ingress refused although it names a known command (its body
fails the schema) and an entry no worker could turn into a job (its payload
does not pass the worker's schema catalog, e.g. after an upgrade made a
schema stricter, or the entry is malformed) are kept in the inbox's rejected
stream with the reason; the first have no inbox entry id. "jobs counts" shows how many entries each stream holds.

Without --redrive, lists the rejected entries, newest first: id, command,
operationID, when the ingress received it, and the reason. Prints "no
rejected inbox entries" on stderr when there are none.

--redrive appends each entry back to the inbox as it was (command,
operationID, receive time, the body's exact bytes) and deletes it from the
rejected stream once the inbox has it; a worker then moves it again. Fix
the cause first (deploy a worker that accepts it), or it is rejected
again. Malformed entries (no body, no command, ...) cannot be redriven and
are kept. Ends with a summary: "redrove N, skipped M (malformed, kept),
errors K". On a terminal, --all shows its progress on one updating line.`,
  options: [
    { flags: '--limit <N>', help: 'list at most N entries' },
    {
      flags: '--json',
      help: 'one JSON object per line instead of a table: id, entry (its id in the inbox), command, operationID, receivedAt, reason. Prints nothing at all when there are none. With --redrive, instead of text and summary: each entry with its outcome ("redrove" and its new inbox id, "would-redrive", "skipped" when malformed, "unknown")',
    },
    { flags: '--redrive', help: 'put the given entries (<id…>, or --all) back into the inbox' },
    { flags: '--all', help: 'with --redrive: every rejected entry, oldest first' },
    { flags: '--dry-run', help: 'with --redrive: list what would go back; change nothing' },
  ],
  epilog: `Exits 1 when an id is unknown.

Examples:
  openim-sync jobs inbox --limit 20
  openim-sync jobs inbox --json | jq -r .reason | sort | uniq -c
  openim-sync jobs inbox --redrive 1764064800000-0 1764064800123-0
  openim-sync jobs inbox --redrive --all --dry-run`,
  positionals: true,
  prepare(args) {
    const all = flagValue(args, 'all');
    const dryRun = flagValue(args, 'dry-run');
    const json = flagValue(args, 'json');
    const limitText = stringValue(args, 'limit');
    const ids = args.positionals;
    if (!flagValue(args, 'redrive')) {
      if (ids.length > 0) return usage(`unexpected argument "${ids[0]}" (entry ids go with --redrive)`);
      if (all || dryRun) return usage(`${all ? '--all' : '--dry-run'} goes with --redrive`);
      const limit = limitText === undefined ? undefined : parseLimit(limitText);
      if (limit && !limit.ok) return usage(limit.message);
      return { ok: true, run: (ctx) => list(ctx, limit?.value, json) };
    }
    if (limitText !== undefined) return usage('--limit is for the listing, not --redrive');
    if (all && ids.length > 0) return usage('give entry ids or --all, not both');
    if (!all && ids.length === 0) return usage('give the ids of rejected entries, or --all to redrive every one');
    const bad = ids.find((id) => !STREAM_ID.test(id));
    if (bad !== undefined) return usage(`"${bad}" is not an entry id such as 1764064800000-0 (see "jobs inbox")`);
    return { ok: true, run: (ctx) => (all ? redriveAll(ctx, dryRun, json) : redriveIds(ctx, ids, dryRun, json)) };
  },
};
