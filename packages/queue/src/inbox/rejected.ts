import type { Result } from '@openim-sync/schema';
import type { ChainableCommander, Redis } from 'ioredis';
import type { Retention } from '../settings.js';
import { type InboxKeys, type InboxRecord, inboxFields, readInboxFields } from './entry.js';

/**
 * The rejected stream keeps, with the reason, each callback that names a
 * known command but could not become a job: refused by the ingress (its body
 * fails the schema; no inbox entry) or set aside by a mover (it no longer
 * passes the catalog after an upgrade, or the entry is malformed). Nothing
 * is dropped silently, and `jobs inbox --redrive` hands an entry back to the
 * inbox once a worker accepts it (see redrive.ts).
 */

/** How the rejected stream is trimmed as an entry is added: a clause for `XADD`, and `XTRIM MAXLEN` when both limits are set. */
export interface RejectedTrim {
  xadd: (string | number)[];
  maxLen?: number;
}

/**
 * Keeps the rejected stream as the failed set is kept (KEEP_FAILED_*), so a
 * flood of entries nothing accepts cannot fill Redis: entries older than
 * `age` seconds go (`MINID ~` the id of that moment: whole stream nodes, so a
 * few older entries may stay a while), and past `count` the oldest go. A 0
 * lifts that limit; it never means "keep none".
 */
export function rejectedTrim({ count, age }: Retention, now = Date.now()): RejectedTrim {
  if (age <= 0) return { xadd: count > 0 ? ['MAXLEN', count] : [] };
  const minId = `${Math.max(0, Math.floor(now - age * 1000))}-0`;
  return count > 0 ? { xadd: ['MINID', '~', minId], maxLen: count } : { xadd: ['MINID', '~', minId] };
}

/** One entry to keep: its inbox id (none when the ingress refused it), the reason, the inbox entry's fields. */
export interface Rejection {
  entry?: string | undefined;
  reason: string;
  fields: (string | Buffer)[];
}

/**
 * Queues the `XADD`s (and the trim) of rejected entries on a transaction or
 * pipeline: the entry's inbox id and the reason first, then the inbox
 * entry's own fields unchanged, so it can be redriven.
 */
export function queueRejections(tx: ChainableCommander, keys: InboxKeys, keep: Retention, rejections: Rejection[]) {
  if (rejections.length === 0) return;
  const trim = rejectedTrim(keep);
  for (const { entry, reason, fields } of rejections) {
    const head = entry === undefined ? ['reason', reason] : ['entry', entry, 'reason', reason];
    tx.xadd(keys.rejected, ...trim.xadd, '*', ...head, ...fields);
  }
  if (trim.maxLen) tx.xtrim(keys.rejected, 'MAXLEN', trim.maxLen);
}

/** Runs a transaction; throws the first command's error (or the abort) instead of returning it. */
export async function execOrThrow(tx: ChainableCommander, what: string): Promise<unknown[]> {
  const results = await tx.exec();
  const failed = results?.find(([err]) => err);
  if (!results || failed) throw failed?.[0] ?? new Error(`${what}: transaction aborted`);
  return results.map(([, value]) => value);
}

/**
 * Keeps a callback the ingress refused although it names a known command (it
 * fails its schema): the rejected stream holds it with the reason, the
 * receive time and its exact bytes, so `jobs inbox --redrive` can hand it to
 * a newer worker that accepts it. It has no inbox entry, hence no `entry`.
 */
export async function keepRejected(
  connection: Redis,
  keys: InboxKeys,
  keep: Retention,
  reason: string,
  record: InboxRecord,
): Promise<string | null> {
  const tx = connection.multi();
  queueRejections(tx, keys, keep, [{ reason, fields: inboxFields(record) }]);
  const [id] = await execOrThrow(tx, 'rejected entry not kept');
  return id as string | null;
}

/** Reads a rejected-stream entry's fields back into their parts (see {@link queueRejections}). */
export function readRejectedFields(raw: Buffer[]): { entry: string | null; reason: string; fields: Buffer[] } {
  let entry: string | null = null;
  let reason: string | null = null;
  const fields: Buffer[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString();
    const value = raw[i + 1] as Buffer;
    if (name === 'entry' && entry === null) entry = value.toString();
    else if (name === 'reason' && reason === null) reason = value.toString();
    else fields.push(raw[i] as Buffer, value);
  }
  return { entry, reason: reason ?? '', fields };
}

/** One entry of the rejected stream. */
export interface RejectedEntry {
  /** Its id in the rejected stream: what `jobs inbox --redrive` takes. */
  id: string;
  /** The id it had in the inbox; null for a callback the ingress kept. */
  entry: string | null;
  /** Why no job was made of it. */
  reason: string;
  /** The inbox entry's own fields, bytes as stored. */
  fields: Buffer[];
  /** Those fields read as a record, or what is wrong with them (a malformed entry cannot be redriven). */
  record: Result<InboxRecord>;
}

/** Reads one raw entry of the rejected stream. */
export function toRejectedEntry([rawId, raw]: [id: Buffer, fields: Buffer[]]): RejectedEntry {
  const { entry, reason, fields } = readRejectedFields(raw);
  return { id: rawId.toString(), entry, reason, fields, record: readInboxFields(fields) };
}
