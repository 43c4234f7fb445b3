import type { CallbackJobData } from '@openim-sync/queue';
import type { Logger } from '@openim-sync/runtime';
import { type Job, UnrecoverableError } from 'bullmq';
import { type CircuitBreaker, SinkCircuitOpenError } from './circuit-breaker.js';
import { PermanentSinkError, RetryableSinkError, type Sink, type SinkEvent, type SinkOutcome } from './sinks/index.js';
import { unrecoverable } from './unrecoverable.js';

export interface ProcessorDeps {
  sinks: Sink[];
  logger: Logger;
  /** A circuit breaker per sink name (see createSinkBreakers); none: every job tries every sink. */
  breakers?: ReadonlyMap<string, CircuitBreaker>;
}

export type ProcessorResult = Record<string, SinkOutcome>;

/**
 * Runs one job through every sink in order. A sink failure is retried; a
 * permanent one fails the job at once. Sinks are idempotent, so a retry
 * after a partial success is safe.
 *
 * A job that reaches a sink whose circuit is open stops there with a
 * SinkCircuitOpenError (the worker puts it back to waiting): the sinks
 * before it may have applied it already, which the re-run finds recorded.
 */
export function createProcessor({ sinks, logger, breakers }: ProcessorDeps) {
  return async function processCallback(job: Job<CallbackJobData>): Promise<ProcessorResult> {
    const item = toSinkEvent(job);
    const outcomes: ProcessorResult = {};
    for (const sink of sinks) {
      outcomes[sink.name] = await applySink(sink, item, breakers?.get(sink.name));
    }
    // Checked first: a child logger per job measured ~6 µs, paid even with debug off.
    if (logger.isLevelEnabled('debug')) {
      const context = {
        jobId: job.id,
        command: job.name,
        operationID: item.operationID,
        attempt: job.attemptsMade + 1,
      };
      logger.debug({ ...context, outcomes, latencyMs: Date.now() - item.receivedAt }, 'job applied');
    }
    return outcomes;
  };
}

async function applySink(sink: Sink, item: SinkEvent, breaker: CircuitBreaker | undefined): Promise<SinkOutcome> {
  const admission = breaker?.admit();
  if (admission && !admission.allowed) throw new SinkCircuitOpenError(sink.name, admission.waitMs);
  try {
    const outcome = await sink.apply(item);
    breaker?.success();
    return outcome;
  } catch (err) {
    // A permanent refusal is an answer: the sink works, this event is bad.
    if (err instanceof PermanentSinkError) breaker?.success();
    else breaker?.failure(err instanceof RetryableSinkError ? err.retryAfterMs : undefined);
    throw sinkFailure(sink.name, err);
  }
}

/**
 * A sink's failure as the job keeps it. BullMQ records only the message (the
 * failed reason) and the stack, never the cause: so the message names the
 * sink before the sink's own, and the stack goes on with the sink's frames.
 */
function sinkFailure(sink: string, err: unknown): Error {
  const cause = err instanceof Error ? err : new Error(String(err));
  const message = `${sink} sink: ${cause.message}`;
  const failure =
    err instanceof PermanentSinkError
      ? unrecoverable(message, cause)
      : err instanceof RetryableSinkError
        ? new RetryableSinkError(message, err.retryAfterMs, { cause })
        : new Error(message, { cause });
  failure.stack = `${failure.stack}\ncaused by: ${cause.stack}`;
  return failure;
}

/**
 * The job as the sinks take it. Its payload is not checked again: the inbox
 * mover checked it against the catalog and built the event once (see toJob
 * in packages/queue), and a replay re-adds that checked data. Only the shape
 * is checked, so a hand-made job without an event fails without retries.
 */
function toSinkEvent(job: Job<CallbackJobData>): SinkEvent {
  const data = job.data as Partial<CallbackJobData> | undefined;
  if (
    !job.id ||
    !data ||
    typeof data.receivedAt !== 'number' ||
    typeof data.payload !== 'object' ||
    !data.payload ||
    typeof data.event?.type !== 'string'
  ) {
    throw new UnrecoverableError('malformed job: data needs receivedAt (number), payload and event (objects)');
  }
  return {
    id: job.id,
    command: typeof data.command === 'string' ? data.command : job.name,
    operationID: typeof data.operationID === 'string' ? data.operationID : '',
    receivedAt: data.receivedAt,
    event: data.event,
    payload: data.payload,
    payloadText: typeof data.payloadText === 'string' ? data.payloadText : undefined,
  };
}
