import { type Catalog, exactPayloadText, parseJsonBody } from '@openim-sync/schema';
import { type CallbackJobData, callbackJobId } from '../job.js';
import type { CallbackJob } from '../queue.js';
import type { QueueSettings } from '../settings.js';
import { readInboxFields } from './entry.js';

/** The job, or why none can be made, with what the entry says about itself (for the log line). */
export type JobOrReason =
  | { ok: true; value: CallbackJob }
  | { ok: false; reason: string; about: { command?: string; operationID?: string } };

/**
 * The job an inbox entry becomes, or why none can be made of it.
 *
 * This is the worker's one parse and schema check of a callback: the inbox
 * holds bytes, and the job carries the event checked here, which the
 * processor applies as it is. Here rather than in the processor because a
 * job needs its event before it is added (a presence report's coalescing
 * key comes from it), and because an entry that fails lands in the rejected
 * stream, from where `jobs inbox --redrive` can hand it to a worker that
 * accepts it, instead of in the failed set.
 */
export function toJob(entryId: string, fields: Buffer[], settings: QueueSettings, catalog: Catalog): JobOrReason {
  const read = readInboxFields(fields);
  if (!read.ok) return { ok: false, reason: read.reason, about: {} };
  const record = read.value;
  const about = { command: record.command, operationID: record.operationID };
  const parsed = parseJsonBody(record.body);
  if (!parsed.ok) return { ok: false, reason: parsed.reason.message, about };
  const checked = catalog.check(record.command, parsed.value);
  if (!checked.ok) return { ok: false, reason: checked.reason.message, about };
  const data: CallbackJobData = {
    command: checked.value.definition.command,
    operationID: record.operationID,
    receivedAt: record.receivedAt,
    event: checked.value.event,
    payload: parsed.value as Record<string, unknown>,
  };
  const payloadText = exactPayloadText(record.body);
  if (payloadText !== undefined) data.payloadText = payloadText;
  // An entry from an ingress that did not fix the id yet: its stream id is as unique and as stable.
  const jobId =
    record.jobId ??
    (settings.contentDedupMs > 0 && record.operationID !== ''
      ? callbackJobId(data.command, data.operationID, record.body, true)
      : `e-${entryId}`);
  return { ok: true, value: { data, jobId } };
}
