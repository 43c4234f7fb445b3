import { Counter, Histogram, type Registry } from 'prom-client';
import type { AppFailureReason } from './app-answer.js';

/**
 * How a before-callback was answered: `continue` by the ingress itself
 * (BEFORE_CALLBACK_URL unset); `app-continue` / `app-reject`: the App's
 * answer relayed, by the verdict OpenIM reads in it; `error-continue` /
 * `error-reject`: the App failed and BEFORE_CALLBACK_ON_ERROR answered.
 */
export type BeforeCallbackVerdict = 'continue' | 'app-continue' | 'app-reject' | 'error-continue' | 'error-reject';

/** What the before-callback responder reports; every call only bumps a counter. */
export interface BeforeCallbackObserver {
  /** One before-callback answered; `command` is the canonical name. */
  answered(command: string, verdict: BeforeCallbackVerdict): void;
  /** A call to the App ended after `seconds`, with a usable answer (`ok`) or not. */
  forwarded(command: string, seconds: number, ok: boolean): void;
  /** The App failed to give a usable answer. */
  failed(command: string, reason: AppFailureReason): void;
}

/** Seconds; the App has BEFORE_CALLBACK_TIMEOUT_MS (2 s by default, at most 14 s). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10];

/**
 * The before-callback metrics on `registry`. Labels stay bounded: commands
 * are the catalog's canonical names, reasons and verdicts are constants.
 */
export function createBeforeCallbackMetrics(registry: Registry): BeforeCallbackObserver {
  const answers = new Counter({
    name: 'openim_sync_before_callbacks_total',
    help:
      'OpenIM before-callbacks answered, by command and verdict: continue (answered by the ingress, no App ' +
      'configured), app-continue / app-reject (the App’s answer relayed), error-continue / error-reject (the App ' +
      'failed, answered per BEFORE_CALLBACK_ON_ERROR).',
    labelNames: ['command', 'verdict'] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: 'openim_sync_before_callback_app_failures_total',
    help:
      'Before-callbacks the App failed to answer usably, by command and reason (timeout, connection, too-large, ' +
      'status, empty, not-json, not-object, bad-verdict).',
    labelNames: ['command', 'reason'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'openim_sync_before_callback_app_duration_seconds',
    help: 'Time a before-callback forwarded to the App took, by command and result (ok: a usable answer; error).',
    labelNames: ['command', 'result'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  return {
    answered: (command, verdict) => answers.inc({ command, verdict }),
    forwarded: (command, seconds, ok) => duration.observe({ command, result: ok ? 'ok' : 'error' }, seconds),
    failed: (command, reason) => failures.inc({ command, reason }),
  };
}
