import { goJson } from '@openim-sync/schema';

/**
 * OpenIM v3.7.0 to v3.8.0 copy the `secret` of the register request, which
 * OpenIM has just checked against its own admin secret (share.yml), into the
 * body of `callbackBeforeUserRegisterCommand` and
 * `callbackAfterUserRegisterCommand` (open-im-server v3.8.0
 * internal/rpc/user/callback.go; removed in v3.8.1). Whoever holds it can
 * call OpenIM's REST API as an administrator, so it is taken out of the body
 * on receipt, before the body is stored, forwarded, logged or shown.
 */
const REGISTER_COMMANDS = new Set(['callbackbeforeuserregistercommand', 'callbackafteruserregistercommand']);

/** Bytes of `secret` in either case, as it would appear as a key: a body without them is returned untouched. */
const SECRET_KEY = /"secret"\s*:/i;

/**
 * The body without its top-level `secret` key (any letter case: Go decodes
 * keys case-insensitively, so a sender may spell it so). Only the
 * user-register commands are touched, and only when the key is there; the
 * rewritten body is encoded as Go's encoder would (`<`, `>`, `&`, U+2028 and
 * U+2029 escaped, a trailing newline). Anything unparsable is returned as
 * is: the caller refuses it anyway.
 */
export function stripSecret(command: string, body: Buffer): Buffer {
  if (!REGISTER_COMMANDS.has(command.toLowerCase())) return body;
  const text = body.toString('utf8');
  if (!SECRET_KEY.test(text)) return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return body;
  }
  return withoutSecret(command, parsed, body).bytes;
}

/**
 * The same for a body already parsed (the ack path parses each body once):
 * the payload and the bytes without `secret`, or both as given.
 */
export function withoutSecret(command: string, payload: unknown, body: Buffer): { payload: unknown; bytes: Buffer } {
  const same = { payload, bytes: body };
  if (!REGISTER_COMMANDS.has(command.toLowerCase())) return same;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return same;
  const kept = Object.entries(payload).filter(([key]) => key.toLowerCase() !== 'secret');
  if (kept.length === Object.keys(payload).length) return same;
  const stripped = Object.fromEntries(kept);
  return { payload: stripped, bytes: goJson(stripped) };
}
