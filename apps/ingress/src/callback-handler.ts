import { type CallbackJobData, createReceiveClock, type InboxRecord } from '@openim-sync/queue';
import type { Logger } from '@openim-sync/runtime';
import { type Catalog, fail, ok, parseJsonBody, type Result } from '@openim-sync/schema';
import type { Context } from 'hono';
import { answerBeforeCallback, type BeforeCallbackCall } from './before-callbacks/answer-before-callback.js';
import { findBeforeCallback } from './before-callbacks/catalog.js';
import { type BeforeCallbackResponder, createBeforeCallbackResponder } from './before-callbacks/responder.js';
import type { CallbackObserver } from './metrics.js';
import type { Producer } from './producer.js';
import { readBody } from './read-body.js';
import { ACK_BODY, type ErrorStatus, errorBody } from './responses.js';
import { type CallbackToken, createCallbackToken } from './security/callback-token.js';
import { stripSecret, withoutSecret } from './strip-secret.js';

export interface CallbackHandlerDeps {
  basePath: string;
  maxBodyBytes: number;
  catalog: Catalog;
  producer: Producer;
  logger: Logger;
  /** Request metrics; left out, nothing is counted. */
  observer?: CallbackObserver | undefined;
  /** The CALLBACK_TOKEN check; none when left out. */
  token?: CallbackToken | undefined;
  /** Answers OpenIM's before-callbacks (never enqueued); left out, each gets the local "continue". */
  beforeCallbacks?: BeforeCallbackResponder | undefined;
}

type Rejection = { status: ErrorStatus; reason: string; message: string; detail?: string };

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Handles `POST {base}/{command}` (OpenIM v3.4.2+, `//` tolerated, query
 * ignored) and `POST {base}?command={command}` (v3.0–v3.4.0 and the docs).
 * Checks run cheapest first; the body is read only for a known command.
 */
export function createCallbackHandler(deps: CallbackHandlerDeps) {
  const { basePath, maxBodyBytes, catalog, producer, logger, observer } = deps;
  const token = deps.token ?? createCallbackToken(basePath, undefined);
  const prefixLength = basePath === '/' ? 0 : basePath.length;
  const receiveClock = createReceiveClock();
  const beforeCallbacks = deps.beforeCallbacks ?? createBeforeCallbackResponder({ logger });

  /** The command a callback path names (or the before-callback it is), or why none. */
  function commandOf(c: Context): Result<string | BeforeCallbackCall, Rejection> {
    const segments = token.take(c.req.path.slice(prefixLength).split('/').filter(Boolean));
    if (!segments.ok) return segments;
    if (segments.value.length > 1) {
      return fail({ status: 404, reason: 'route', message: `no route ${token.redact(c.req.path)}` });
    }
    const command = segments.value[0] ?? c.req.query('command');
    if (!command) {
      return fail({
        status: 404,
        reason: 'route',
        message: `no callback command in the URL: use ${token.shownBase}/<command> or ${token.shownBase}?command=<command>`,
      });
    }
    // After the token and route checks, so CALLBACK_TOKEN and ALLOWED_IPS guard before-callbacks too.
    const before = findBeforeCallback(command);
    if (before) return ok({ callback: before, name: command });
    // A disabled command is as unknown to OpenIM's operator as a misspelt one; the message tells them apart.
    const found = catalog.find(command);
    if (!found.ok) return fail({ status: 404, reason: 'unknown-command', message: found.reason.message });
    return ok(command);
  }

  /**
   * A callback that names a known command is never thrown away: when it
   * cannot become a job it is refused (OpenIM ignores the answer of an
   * after-callback anyway) and kept in the rejected stream with the reason.
   */
  async function keep(record: InboxRecord, refusal: Rejection): Promise<Rejection> {
    const kept = await producer.keep(record, refusal.message);
    if (!kept.ok) {
      return { status: 503, reason: kept.reason ?? 'unavailable', message: `${record.command}: ${kept.message}` };
    }
    observer?.kept(record.command);
    return refusal;
  }

  async function accept(c: Context, command: string, receivedAt: number): Promise<Rejection | CallbackJobData> {
    // OpenIM v3.0 to v3.6 leave the header out when the operationID is empty (pkg/common/http/http_client.go).
    const operationID = c.req.header('operationid') ?? '';
    const contentType = c.req.header('content-type');
    if (!contentType || !JSON_TYPE.test(contentType)) {
      return {
        status: 415,
        reason: 'content-type',
        message: `${command}: Content-Type must be application/json, got ${contentType ? `"${contentType}"` : 'none'}`,
      };
    }
    const body = await readBody(c.req.raw, maxBodyBytes);
    if (!body.ok) return { status: body.status, reason: 'body', message: `${command}: ${body.message}` };
    // The ack path's one parse and schema check: what can never become a job is refused before the
    // ack. The inbox keeps the bytes, not this result, so the worker's mover checks them once more.
    const parsed = parseJsonBody(body.bytes);
    if (!parsed.ok) {
      const refusal: Rejection = { status: 400, reason: 'json', message: `${command}: ${parsed.reason.message}` };
      // Not JSON at all is garbage; JSON the pipeline cannot carry is kept like a schema failure.
      if (parsed.reason.code === 'syntax') return refusal;
      return keep({ command, operationID, receivedAt, body: stripSecret(command, body.bytes) }, refusal);
    }
    // On both paths the secret leaves the body before anything stores, forwards or logs it.
    const { payload, bytes } = withoutSecret(command, parsed.value, body.bytes);
    const checked = catalog.check(command, payload);
    if (!checked.ok) {
      const record: InboxRecord = { command, operationID, receivedAt, body: bytes };
      const { code, message, detail } = checked.reason;
      return keep(record, { status: 400, reason: code, message, detail });
    }
    const data: CallbackJobData = {
      command: checked.value.definition.command,
      operationID,
      receivedAt,
      event: checked.value.event,
      payload: payload as Record<string, unknown>,
    };
    const enqueued = await producer.enqueue(data, bytes);
    if (!enqueued.ok) {
      return { status: 503, reason: enqueued.reason ?? 'unavailable', message: `${command}: ${enqueued.message}` };
    }
    // "Did OpenIM send X?", answered at LOG_LEVEL=debug. The ack path builds no log object at info.
    if (logger.isLevelEnabled('debug')) {
      logger.debug({ command: data.command, operationID, jobId: enqueued.jobId }, 'callback accepted');
    }
    return data;
  }

  return async function handleCallback(c: Context): Promise<Response> {
    const startedAt = performance.now();
    const receivedAt = receiveClock();
    const route = commandOf(c);
    const command = route.ok && typeof route.value === 'string' ? route.value : undefined;
    let outcome: Rejection | CallbackJobData | Response;
    if (!route.ok) outcome = route.reason;
    else if (typeof route.value === 'string') outcome = await accept(c, route.value, receivedAt);
    else outcome = await answerBeforeCallback(c, route.value, beforeCallbacks, maxBodyBytes);
    if (outcome instanceof Response) return outcome;
    if ('status' in outcome) {
      observer?.rejected(command, outcome.status, outcome.reason);
      const log = logger[levelOf(outcome)].bind(logger);
      log(
        {
          status: outcome.status,
          reason: outcome.reason,
          path: token.redact(c.req.path),
          operationID: c.req.header('operationid'),
        },
        outcome.message,
      );
      return c.json(errorBody(outcome.status, outcome.message, outcome.detail), outcome.status);
    }
    observer?.acknowledged(outcome.command, startedAt);
    return c.body(ACK_BODY, 200, { 'content-type': 'application/json' });
  };
}

/** A refusal for Redis's memory is said once by the memory guard, not once per callback of a flood. */
function levelOf({ status, reason }: Rejection): 'debug' | 'warn' | 'error' {
  if (reason === 'redis-memory') return 'debug';
  return status >= 500 ? 'error' : 'warn';
}
