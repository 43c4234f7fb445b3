import type { CallbackEvent } from '@openim-sync/schema';

/** One callback event as the projection applies it (the worker's sink event has these fields). */
export interface ProjectionEvent {
  /** The job id: stable across retries and re-deliveries; the idempotency key. */
  id: string;
  command: string;
  /** When the ingress received it (ms since the epoch, with µs fractions); the event's version. */
  receivedAt: number;
  event: CallbackEvent;
}

/** `already-applied`: the event's id was recorded before (a retry, a second delivery); nothing changed. */
export type ProjectionOutcome = 'applied' | 'already-applied';
