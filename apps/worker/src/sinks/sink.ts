import type { CallbackEvent } from '@openim-sync/schema';

/** One callback as the sinks see it. */
export interface SinkEvent {
  /** The job id: stable across retries and re-deliveries; the idempotency key. */
  id: string;
  command: string;
  operationID: string;
  /** When the ingress received it (ms since the epoch); orders events. */
  receivedAt: number;
  event: CallbackEvent;
  payload: Record<string, unknown>;
  /** The body's exact text when `payload` rounded an int64 of it (see exactPayloadText). */
  payloadText?: string | undefined;
}

/** What an applied event did; sinks report it for logs and tests. */
export type SinkOutcome = 'applied' | 'already-applied' | 'forwarded' | 'logged' | 'skipped';

/** A place events go. `apply` throws to retry; {@link PermanentSinkError} to fail at once. */
export interface Sink {
  readonly name: string;
  apply(event: SinkEvent): Promise<SinkOutcome>;
  /** Idempotent. */
  close(): Promise<void>;
}

/**
 * An event this sink can never accept (the target said 4xx, the data breaks
 * a rule). Retrying cannot help, so the job fails at once and stays in the
 * failed set for a human.
 */
export class PermanentSinkError extends Error {
  override name = 'PermanentSinkError';
}

/** A failure worth retrying, with the delay the target asked for (Retry-After). */
export class RetryableSinkError extends Error {
  override name = 'RetryableSinkError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
