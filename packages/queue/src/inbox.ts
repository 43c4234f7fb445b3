import type { Redis } from 'ioredis';
import type { QueueSettings, Retention } from './settings.js';

/**
 * The inbox: a Redis stream in front of the BullMQ queue.
 *
 * The ingress acknowledges a callback once one `XADD` of the request as
 * received (command, operationID, receive time, the body's bytes) returned,
 * not after BullMQ's add script (which measured half the throughput).
 * Workers read the stream as one consumer group, add each entry to the
 * BullMQ queue under the job id the ingress fixed, with its options, and
 * only then acknowledge and delete it. An entry whose mover died stays
 * pending in the group and another mover claims it, so an acknowledged
 * callback is in Redis from the ack on, in the stream or in the queue.
 *
 * The stream lives next to the queue's keys, so an obliterated queue takes
 * its inbox with it.
 */
export interface InboxKeys {
  /** The stream the ingress appends to. */
  stream: string;
  /** Entries no mover could turn into a job (see the worker's inbox mover); kept for inspection. */
  rejected: string;
}

/** The consumer group every worker's mover reads the inbox in. */
export const INBOX_GROUP = 'movers';

export function inboxKeys(settings: Pick<QueueSettings, 'prefix' | 'name'>): InboxKeys {
  const base = `${settings.prefix}:${settings.name}:inbox`;
  return { stream: base, rejected: `${base}:rejected` };
}

/** One callback as the ingress appended it. */
export interface InboxRecord {
  /** Canonical command. */
  command: string;
  operationID: string;
  /** The ingress's receive time (see createReceiveClock). */
  receivedAt: number;
  /**
   * The receipt's job id, fixed by the ingress (see callbackJobId) so that a
   * second move or a redrive of the entry makes the same job. Entries
   * appended by ingresses before it was always set may lack it.
   */
  jobId?: string | undefined;
  /** The body's bytes as OpenIM sent them. */
  body: Uint8Array;
}

/** Field names of an inbox entry: short, they are stored with every entry. */
const FIELD = { command: 'c', operationID: 'o', receivedAt: 't', jobId: 'i', body: 'b' } as const;

/** The stream fields of a record, body bytes unchanged. */
function inboxFields(record: InboxRecord): (string | Buffer)[] {
  const { command, operationID, receivedAt, jobId, body } = record;
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const fields: (string | Buffer)[] = [FIELD.command, command, FIELD.operationID, operationID];
  fields.push(FIELD.receivedAt, String(receivedAt));
  if (jobId !== undefined) fields.push(FIELD.jobId, jobId);
  fields.push(FIELD.body, bytes);
  return fields;
}

/** Appends one record; resolves with the entry's id once Redis has it. */
export function appendToInbox(connection: Redis, stream: string, record: InboxRecord): Promise<string | null> {
  return connection.xadd(stream, '*', ...inboxFields(record));
}

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
  const trim = rejectedTrim(keep);
  const tx = connection.multi().xadd(keys.rejected, ...trim.xadd, '*', 'reason', reason, ...inboxFields(record));
  if (trim.maxLen) tx.xtrim(keys.rejected, 'MAXLEN', trim.maxLen);
  const results = await tx.exec();
  const failed = results?.find(([err]) => err);
  if (!results || failed) throw failed?.[0] ?? new Error('rejected entry not kept: transaction aborted');
  return results[0]?.[1] as string | null;
}

/** Reads an entry's fields (as Buffers, so the body's bytes stay exact); a string says what is wrong. */
export function readInboxFields(fields: Buffer[]): InboxRecord | string {
  const values = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set((fields[i] as Buffer).toString(), fields[i + 1] as Buffer);
  const command = values.get(FIELD.command)?.toString();
  const operationID = values.get(FIELD.operationID)?.toString();
  const receivedAt = Number(values.get(FIELD.receivedAt)?.toString());
  const body = values.get(FIELD.body);
  if (!command) return 'no command';
  if (operationID === undefined) return 'no operationID';
  if (!Number.isFinite(receivedAt) || receivedAt <= 0) return 'no receive time';
  if (!body) return 'no body';
  return { command, operationID, receivedAt, jobId: values.get(FIELD.jobId)?.toString(), body };
}

/**
 * The fields of a rejected-stream entry the mover writes: the inbox entry's
 * id and the reason first, then the inbox entry's own fields unchanged (so it
 * can be redriven). Entries the ingress kept have no `entry`.
 */
export function rejectedEntryFields(entryId: string, reason: string, fields: Buffer[]): (string | Buffer)[] {
  return ['entry', entryId, 'reason', reason, ...fields];
}

/** Reads a rejected-stream entry's fields back into their parts (see {@link rejectedEntryFields}). */
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

/** How many entries the inbox and its rejected stream hold, in one round trip. */
export async function inboxLengths(connection: Redis, keys: InboxKeys): Promise<{ inbox: number; rejected: number }> {
  const [inbox, rejected] = await Promise.all([connection.xlen(keys.stream), connection.xlen(keys.rejected)]);
  return { inbox, rejected };
}
