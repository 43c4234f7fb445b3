import { stdSerializers } from 'pino';

/** The password of a URL's userinfo (`scheme://user:password@`), wherever a URL sits in a string. */
const URL_PASSWORD = /\b([a-z][\w+.-]*:\/\/[^\s/:@]*:)[^\s/@]+@/gi;

/** How deep the scrub follows nested objects: an error's `aggregateErrors` and their fields. */
const MAX_DEPTH = 4;

/**
 * `{ err }` as log lines write it: pino's error serializer, the message and
 * the stack of every `cause` after the error's own, then secrets out. Logging
 * the error rather than its message keeps the stack, but also its fields,
 * and some hold what the redact paths never see: a Redis driver's
 * `command.args` (AUTH's are the password), Node's `input` of a bad URL, a
 * connection URL inside a message.
 */
export function serializeError(err: unknown): unknown {
  const serialized = stdSerializers.err(err as Error);
  if (err instanceof Error && err.cause instanceof Error) {
    serialized.message = withCauses(err, (e) => e.message, ': ');
    serialized.stack = withCauses(err, (e) => e.stack ?? '', '\ncaused by: ');
  }
  return scrub(serialized, 0);
}

/**
 * pino's own chaining, except that a part the text already holds is not
 * added again: an error whose reader sees only the message (a job's failed
 * reason, a CLI line) repeats its cause's message in its own.
 */
function withCauses(err: Error, part: (e: Error) => string, joint: string): string {
  let text = part(err);
  const seen = new Set<unknown>([err]);
  for (let cause = err.cause; cause instanceof Error && !seen.has(cause); cause = cause.cause) {
    seen.add(cause);
    const more = part(cause);
    if (!text.includes(more)) text += joint + more;
  }
  return text;
}

function scrub(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.replace(URL_PASSWORD, '$1***@');
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = key === 'args' ? '[redacted]' : scrub(item, depth + 1);
  }
  return copy;
}
