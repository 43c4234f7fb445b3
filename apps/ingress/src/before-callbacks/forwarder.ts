import { Agent, errors, request } from 'undici';
import type { AppAnswer } from './app-answer.js';
import { readAppAnswer } from './app-answer.js';

export interface ForwarderOptions {
  /** BEFORE_CALLBACK_URL; each callback goes to `{url}/{command}`, as OpenIM itself posts. */
  url: string;
  /** The whole exchange (connect, send, the full answer) must fit in this many ms. */
  timeoutMs: number;
  /** Sent as the Authorization header; never logged. */
  authorization?: string | undefined;
}

/** One before-callback as OpenIM posted it. */
export interface ForwardedCallback {
  /** The command as OpenIM named it in the URL (the App sees the same path OpenIM would post to). */
  name: string;
  /** The operationID header; undefined when OpenIM sent none (v3.0 to v3.6 leave it out when empty). */
  operationID: string | undefined;
  contentType: string | undefined;
  body: Buffer;
}

export interface Forwarder {
  /** Posts the callback to the App and reads its answer; never rejects. */
  forward(callback: ForwardedCallback): Promise<AppAnswer>;
  /** Closes the connection pool once in-flight calls have ended; idempotent. */
  close(): Promise<void>;
}

/**
 * OpenIM reads an answer of any size; this only stops a runaway App from
 * filling the ingress's memory. A verdict is a few hundred bytes, a modified
 * message at most OpenIM's own message size.
 */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/**
 * The synchronous path to the App: undici's `request` on a keep-alive pool of
 * its own (as the worker's http sink, which measured it about four times
 * faster than `fetch`). undici's phase timeouts bound each phase; an abort
 * signal bounds the sum, so OpenIM gets an answer within about `timeoutMs`.
 */
export function createForwarder({ url, timeoutMs, authorization }: ForwarderOptions): Forwarder {
  const dispatcher = new Agent({
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    maxResponseSize: MAX_ANSWER_BYTES,
  });
  const target = new URL(url);
  const basePath = target.pathname.replace(/\/+$/, '');
  const urlOf = (name: string) => {
    const full = new URL(target);
    full.pathname = `${basePath}/${encodeURIComponent(name)}`;
    return full;
  };
  let closed: Promise<void> | undefined;

  return {
    async forward({ name, operationID, contentType, body }) {
      const headers: Record<string, string> = {
        'content-type': contentType ?? 'application/json; charset=utf-8',
        'user-agent': 'openim-sync-ingress',
      };
      if (operationID !== undefined) headers.operationID = operationID;
      if (authorization) headers.authorization = authorization;
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const response = await request(urlOf(name), { method: 'POST', headers, body, dispatcher, signal });
        // Read the whole answer, so the connection goes back to the pool.
        const answer = Buffer.from(await response.body.arrayBuffer());
        return readAppAnswer(response.statusCode, answer);
      } catch (cause) {
        return failure(cause, signal.aborted, timeoutMs);
      }
    },
    async close() {
      closed ??= dispatcher.close();
      await closed;
    },
  };
}

function failure(cause: unknown, aborted: boolean, timeoutMs: number): AppAnswer {
  if (
    aborted ||
    cause instanceof errors.ConnectTimeoutError ||
    cause instanceof errors.HeadersTimeoutError ||
    cause instanceof errors.BodyTimeoutError
  ) {
    return { ok: false, reason: 'timeout', message: `the App did not answer within ${timeoutMs} ms`, cause };
  }
  if (cause instanceof errors.ResponseExceededMaxSizeError) {
    return { ok: false, reason: 'too-large', message: `the App's answer is over ${MAX_ANSWER_BYTES} bytes`, cause };
  }
  const { code, cause: inner } = cause as { code?: string; cause?: { code?: string } };
  // A system error (ECONNREFUSED, ENOTFOUND…) says it best; undici's own codes (UND_ERR_…) less so.
  const what = code && !code.startsWith('UND_ERR') ? code : (inner?.code ?? (cause as Error).message);
  return { ok: false, reason: 'connection', message: `the App could not be reached: ${what}`, cause };
}
