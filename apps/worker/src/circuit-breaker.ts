import type { Logger } from '@openim-sync/runtime';

export interface BreakerSettings {
  /** Consecutive retryable failures of a sink that open its circuit. */
  threshold: number;
  /** How long an open circuit holds jobs back before one probes the sink again. */
  cooldownMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** May a call to the sink go now? `probe`: the one call that tests a sink whose circuit was open. */
export type Admission = { allowed: true; probe: boolean } | { allowed: false; waitMs: number };

export interface CircuitBreaker {
  readonly state: BreakerState;
  admit(): Admission;
  /** The sink answered (applied, or refused the event for good): it works. */
  success(): void;
  /** The sink failed in a way a retry may fix; `retryAfterMs` is its own wish, if it said one. */
  failure(retryAfterMs?: number): void;
}

export interface BreakerEvents {
  /** The circuit opened (`failures` in a row) or stayed open after a failed probe (`failures` 0). */
  onOpen(waitMs: number, failures: number): void;
  onClose(openForMs: number): void;
}

/** Longest a sink's Retry-After may hold back a job or its sink's circuit. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;
/** While the probe is out, other jobs for the sink wait this long (at most the cool-down) and look again. */
const PROBE_WAIT_MS = 1000;

/**
 * One sink's circuit breaker, in one worker process. Closed, every call
 * goes; after `threshold` retryable failures in a row it opens: calls are
 * refused for `cooldownMs` (or the sink's Retry-After, if longer), then one
 * call goes as a probe (half-open) while the others keep waiting. The probe's
 * success closes the circuit; its failure opens it for another cool-down.
 * Any success closes it, so a sink that answers again is used at once.
 */
export function createCircuitBreaker(
  settings: BreakerSettings,
  events: BreakerEvents,
  now: () => number = Date.now,
): CircuitBreaker {
  let state: BreakerState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let openUntil = 0;
  let probeSentAt = 0;

  function open(retryAfterMs: number | undefined, count: number): void {
    const waitMs = Math.max(settings.cooldownMs, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
    if (state === 'closed') openedAt = now();
    state = 'open';
    openUntil = now() + waitMs;
    events.onOpen(waitMs, count);
  }

  return {
    get state() {
      return state;
    },
    admit() {
      if (state === 'closed') return { allowed: true, probe: false };
      // A probe that never came back (its call hung) must not hold the sink's jobs for ever:
      // after a cool-down without its answer, another job probes.
      const probeLost = state === 'half-open' && now() - probeSentAt >= settings.cooldownMs;
      if ((state === 'open' && now() >= openUntil) || probeLost) {
        state = 'half-open';
        probeSentAt = now();
        return { allowed: true, probe: true };
      }
      if (state === 'open') return { allowed: false, waitMs: openUntil - now() };
      return { allowed: false, waitMs: Math.min(PROBE_WAIT_MS, settings.cooldownMs) };
    },
    success() {
      failures = 0;
      if (state === 'closed') return;
      state = 'closed';
      events.onClose(now() - openedAt);
    },
    failure(retryAfterMs) {
      if (state === 'half-open') return open(retryAfterMs, 0);
      // A call that began before the circuit opened and failed after it: already counted in.
      if (state === 'open') return;
      failures++;
      if (failures >= settings.threshold) open(retryAfterMs, failures);
    },
  };
}

/**
 * Thrown by the processor for a job that reached a sink whose circuit is
 * open: the worker turns it into BullMQ's rate limit, so the job goes back
 * to waiting with its attempts untouched and the worker fetches nothing for
 * `waitMs`.
 */
export class SinkCircuitOpenError extends Error {
  override name = 'SinkCircuitOpenError';
  constructor(
    readonly sink: string,
    readonly waitMs: number,
  ) {
    super(`${sink} sink: circuit open, jobs wait ${waitMs} ms`);
  }
}

export interface SinkBreakersDeps {
  sinks: readonly string[];
  settings: BreakerSettings;
  logger: Logger;
  /** Each change of a sink's circuit, for the openim_sync_sink_circuit_open gauge. */
  onChange?: (sink: string, open: boolean) => void;
}

/** A circuit breaker per sink, logging each opening and closing. */
export function createSinkBreakers({
  sinks,
  settings,
  logger,
  onChange,
}: SinkBreakersDeps): Map<string, CircuitBreaker> {
  const breakers = new Map<string, CircuitBreaker>();
  for (const sink of sinks) {
    const breaker = createCircuitBreaker(settings, {
      onOpen(waitMs, failures) {
        if (failures > 0) {
          logger.warn({ sink, failures, waitMs }, 'sink circuit open: its jobs wait, one probes it after the wait');
        } else logger.info({ sink, waitMs }, 'sink probe failed: circuit stays open');
        onChange?.(sink, true);
      },
      onClose(openForMs) {
        logger.info({ sink, openForMs }, 'sink circuit closed: its jobs flow again');
        onChange?.(sink, false);
      },
    });
    breakers.set(sink, breaker);
    onChange?.(sink, false);
  }
  return breakers;
}
