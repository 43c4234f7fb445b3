import type { Paint } from './color.js';
import { commandOf, type FilterableJob } from './filters.js';
import { isoTime } from './format.js';

/** What `jobs show` reads of a job: BullMQ's `Job` has this shape. */
export interface DetailedJob extends FilterableJob {
  id?: string | undefined;
  attemptsMade: number;
  opts: { attempts?: number | undefined };
  failedReason?: string | undefined;
  stacktrace?: string[] | null | undefined;
  timestamp: number;
  processedOn?: number | undefined;
  returnvalue?: unknown;
}

/** Everything about one job, as `jobs show --json` prints it. */
export interface JobDetails {
  id: string;
  command: string;
  state: string;
  operationID: string | null;
  receivedAt: string | null;
  event: unknown;
  payload: unknown;
  attemptsMade: number;
  attemptsAllowed: number;
  failedReason: string | null;
  /** One entry per failed attempt BullMQ kept (newest last): the error's stack. */
  errors: string[];
  createdAt: string | null;
  processedAt: string | null;
  finishedAt: string | null;
  returnvalue: unknown;
}

/** Collects the details of a job in its current `state`. */
export function toJobDetails(job: DetailedJob, state: string): JobDetails {
  const data = (typeof job.data === 'object' && job.data !== null ? job.data : {}) as Record<string, unknown>;
  return {
    id: job.id ?? '',
    command: commandOf(job),
    state,
    operationID: typeof data.operationID === 'string' ? data.operationID : null,
    receivedAt: isoTime(data.receivedAt),
    event: data.event ?? null,
    payload: data.payload ?? null,
    attemptsMade: job.attemptsMade,
    attemptsAllowed: job.opts.attempts ?? 1,
    failedReason: job.failedReason || null,
    errors: job.stacktrace ?? [],
    createdAt: isoTime(job.timestamp),
    processedAt: isoTime(job.processedOn),
    finishedAt: isoTime(job.finishedOn),
    returnvalue: job.returnvalue ?? null,
  };
}

function indent(text: string): string[] {
  return text.split('\n').map((line) => `  ${line}`);
}

function json(value: unknown): string[] {
  return indent(JSON.stringify(value, null, 2) ?? 'null');
}

const STATE_STYLE: Record<string, Parameters<Paint>[0]> = { failed: 'red', completed: 'green', delayed: 'yellow' };

/** The human-readable form of {@link JobDetails}: a field list, then the event, payload, errors and result. */
export function formatJobDetails(details: JobDetails, paint: Paint = (_style, text) => text): string[] {
  const stateStyle = STATE_STYLE[details.state];
  const fields: Array<[string, string | null]> = [
    ['id', details.id],
    ['command', details.command],
    ['state', stateStyle ? paint(stateStyle, details.state) : details.state],
    ['operationID', details.operationID === '' ? '(empty)' : details.operationID],
    ['received at', details.receivedAt],
    ['attempts', `${details.attemptsMade} of ${details.attemptsAllowed}`],
    ['created', details.createdAt],
    ['processed', details.processedAt],
    ['finished', details.finishedAt],
    ['failed reason', details.failedReason && paint('red', details.failedReason)],
  ];
  const lines = fields.map(([name, value]) => `${name.padEnd(15)}${value ?? '-'}`);
  lines.push('', 'event', ...json(details.event), '', 'payload (as OpenIM sent it)', ...json(details.payload));
  lines.push('', details.errors.length === 0 ? 'errors: none' : `errors (${details.errors.length}, oldest first)`);
  for (const [index, stack] of details.errors.entries()) {
    lines.push(`  #${index + 1}`, ...indent(stack).map((line) => `  ${line}`));
  }
  if (details.returnvalue !== null) lines.push('', 'return value', ...json(details.returnvalue));
  return lines;
}
