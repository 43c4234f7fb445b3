import { type Logger, redactUrl } from '@openim-sync/runtime';
import type { AppAnswer } from './app-answer.js';
import type { BeforeCallbackObserver } from './before-callback-metrics.js';
import type { BeforeCallback } from './catalog.js';
import { createForwarder, type ForwardedCallback, type Forwarder } from './forwarder.js';
import { continueAnswer, REJECT_CODES, rejectAnswer } from './local-answers.js';

/** The BEFORE_CALLBACK_* settings. */
export interface BeforeCallbackSettings {
  /** The App's endpoint; undefined: the ingress answers "continue" itself. */
  url: string | undefined;
  /** How long the App has to answer, in ms. */
  timeoutMs: number;
  /** What OpenIM is told when the App fails. */
  onError: 'continue' | 'reject';
  /** Sent as the Authorization header to the App; never logged. */
  authorization: string | undefined;
}

/** Answers OpenIM's before-callbacks; none of them is ever enqueued. */
export interface BeforeCallbackResponder {
  /** The JSON body OpenIM gets back for one before-callback; never rejects. */
  answer(callback: BeforeCallback, request: ForwardedCallback): Promise<string | Buffer>;
  /** Closes the pool of connections to the App; idempotent. */
  close(): Promise<void>;
}

export interface BeforeCallbackResponderDeps {
  /** Left out, or without a url: every before-callback gets the local "continue". */
  settings?: BeforeCallbackSettings | undefined;
  logger: Logger;
  observer?: BeforeCallbackObserver | undefined;
}

/**
 * OpenIM's webhook timeout is 5 s by default and it fails the operation when
 * it is reached, whatever `failedContinue` says (unread since v3.7.0:
 * pkg/common/webhook/http_client.go passes on only the timeout). Past this,
 * our own fallback answer risks arriving after OpenIM gave up.
 */
const TIMEOUT_WARNING_MS = 4000;

/**
 * Without BEFORE_CALLBACK_URL every before-callback is answered "continue"
 * at once. With it, each is forwarded to the App and its answer relayed; when
 * the App fails, BEFORE_CALLBACK_ON_ERROR decides: the same "continue", or a
 * rejection with OpenIM's own code for a failed webhook.
 */
export function createBeforeCallbackResponder({
  settings,
  logger,
  observer,
}: BeforeCallbackResponderDeps): BeforeCallbackResponder {
  const url = settings?.url;
  if (!settings || !url) {
    return {
      async answer(callback, { body }) {
        observer?.answered(callback.command, 'continue');
        return continueAnswer(callback, body);
      },
      close: async () => {},
    };
  }
  const { timeoutMs, authorization, onError } = settings;
  const forwarder: Forwarder = createForwarder({ url, timeoutMs, authorization });
  logger.info({ url: redactUrl(url), timeoutMs, onError }, 'before-callbacks are forwarded to the App');
  if (timeoutMs > TIMEOUT_WARNING_MS) {
    logger.warn(
      { timeoutMs },
      'BEFORE_CALLBACK_TIMEOUT_MS is close to OpenIM’s 5 s webhook timeout: raise the `timeout` of every enabled before-callback in OpenIM’s webhooks.yml above it',
    );
  }

  function fallback(callback: BeforeCallback, request: ForwardedCallback, failure: Extract<AppAnswer, { ok: false }>) {
    observer?.failed(callback.command, failure.reason);
    logger.warn(
      { err: failure.cause, command: request.name, operationID: request.operationID, reason: failure.reason },
      `before-callback ${request.name}: ${failure.message}; answering ${onError} (BEFORE_CALLBACK_ON_ERROR)`,
    );
    if (onError === 'continue') {
      observer?.answered(callback.command, 'error-continue');
      return continueAnswer(callback, request.body);
    }
    observer?.answered(callback.command, 'error-reject');
    const unreachable = failure.reason === 'timeout' || failure.reason === 'connection';
    const code = unreachable ? REJECT_CODES.unreachable : REJECT_CODES.unusable;
    return rejectAnswer(code, `before-callback failed: ${failure.message}`);
  }

  return {
    async answer(callback, request) {
      const started = performance.now();
      const answer = await forwarder.forward(request);
      observer?.forwarded(callback.command, (performance.now() - started) / 1000, answer.ok);
      if (!answer.ok) return fallback(callback, request, answer);
      observer?.answered(callback.command, answer.verdict === 'reject' ? 'app-reject' : 'app-continue');
      return answer.body;
    },
    close: () => forwarder.close(),
  };
}
