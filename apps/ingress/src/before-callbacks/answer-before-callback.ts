import type { Context } from 'hono';
import { readBody } from '../read-body.js';
import { stripSecret } from '../strip-secret.js';
import type { BeforeCallback } from './catalog.js';
import type { BeforeCallbackResponder } from './responder.js';

/** A request the callback handler recognised as a before-callback. */
export interface BeforeCallbackCall {
  callback: BeforeCallback;
  /** The command as the URL named it. */
  name: string;
}

/** A body that cannot be read, refused like any callback's (the handler's rejection shape). */
export interface BodyRefusal {
  status: 400 | 413;
  reason: 'body';
  message: string;
  detail?: string;
}

/**
 * Answers one before-callback: 200 with the verdict OpenIM obeys. The body is
 * read under MAX_BODY_BYTES like every callback's and refused only when that
 * fails; anything else, whatever its content type or JSON, gets a verdict,
 * since OpenIM fails the user's operation on a missing or unusable one.
 */
export async function answerBeforeCallback(
  c: Context,
  { callback, name }: BeforeCallbackCall,
  responder: BeforeCallbackResponder,
  maxBodyBytes: number,
): Promise<Response | BodyRefusal> {
  const read = await readBody(c.req.raw, maxBodyBytes);
  if (!read.ok) return { status: read.status, reason: 'body', message: `${name}: ${read.message}` };
  // v3.7.0 to v3.8.0 put OpenIM's admin secret in the user-register body: out before it leaves the ingress.
  const body = stripSecret(name, read.bytes);
  const answer = await responder.answer(callback, {
    name,
    operationID: c.req.header('operationid'),
    contentType: c.req.header('content-type'),
    body,
  });
  return c.body(typeof answer === 'string' ? answer : new Uint8Array(answer), 200, {
    'content-type': 'application/json',
  });
}
