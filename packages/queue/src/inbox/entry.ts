import { isUtf8 } from 'node:buffer';
import type { Result } from '@openim-sync/schema';
import type { Redis } from 'ioredis';
import type { QueueSettings } from '../settings.js';

/**
 * The inbox: a Redis stream in front of the BullMQ queue.
 *
 * The ingress acknowledges a callback once one `XADD` of the request as
 * received (command, operationID, receive time, the body's bytes) returned,
 * not after BullMQ's add script (which measured half the throughput).
 * Workers read the stream as one consumer group, add each entry to the
 * BullMQ queue under the job id the ingress fixed, with its options, and
 * only then acknowledge and delete it (see mover.ts). An entry whose mover
 * died stays pending in the group and another mover claims it, so an
 * acknowledged callback is in Redis from the ack on, in the stream or in the
 * queue.
 *
 * The stream lives next to the queue's keys, so an obliterated queue takes
 * its inbox with it.
 */
export interface InboxKeys {
  /** The stream the ingress appends to. */
  stream: string;
  /** Callbacks kept with the reason no job was made of them (see rejected.ts). */
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

/**
 * The stream fields of a record, body bytes unchanged. A body of valid UTF-8
 * (every body the ingress accepts) goes as a string, which encodes back to
 * the same bytes: ioredis writes a command of strings alone in one piece,
 * and one with a Buffer piece by piece, which measured 10.5 µs against
 * 4.5 µs per `XADD` on the ack path. Other bytes go as they are.
 */
export function inboxFields(record: InboxRecord): (string | Buffer)[] {
  const { command, operationID, receivedAt, jobId, body } = record;
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const fields: (string | Buffer)[] = [FIELD.command, command, FIELD.operationID, operationID];
  fields.push(FIELD.receivedAt, String(receivedAt));
  if (jobId !== undefined) fields.push(FIELD.jobId, jobId);
  fields.push(FIELD.body, isUtf8(bytes) ? bytes.toString('utf8') : bytes);
  return fields;
}

/** Appends one record (to a connection or a pipeline); resolves with the entry's id once Redis has it. */
export function appendToInbox(
  connection: Pick<Redis, 'xadd'>,
  stream: string,
  record: InboxRecord,
): Promise<string | null> {
  return connection.xadd(stream, '*', ...inboxFields(record));
}

/** Reads an entry's fields (as Buffers, so the body's bytes stay exact). */
export function readInboxFields(fields: Buffer[]): Result<InboxRecord & { body: Buffer }> {
  const values = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set((fields[i] as Buffer).toString(), fields[i + 1] as Buffer);
  const command = values.get(FIELD.command)?.toString();
  const operationID = values.get(FIELD.operationID)?.toString();
  const receivedAt = Number(values.get(FIELD.receivedAt)?.toString());
  const body = values.get(FIELD.body);
  if (!command) return { ok: false, reason: 'no command' };
  if (operationID === undefined) return { ok: false, reason: 'no operationID' };
  if (!Number.isFinite(receivedAt) || receivedAt <= 0) return { ok: false, reason: 'no receive time' };
  if (!body) return { ok: false, reason: 'no body' };
  return { ok: true, value: { command, operationID, receivedAt, jobId: values.get(FIELD.jobId)?.toString(), body } };
}

/** How many entries the inbox and its rejected stream hold, in one round trip. */
export async function inboxLengths(connection: Redis, keys: InboxKeys): Promise<{ inbox: number; rejected: number }> {
  const [inbox, rejected] = await Promise.all([connection.xlen(keys.stream), connection.xlen(keys.rejected)]);
  return { inbox, rejected };
}
