/** Deepest nesting a callback body may have; OpenIM's deepest (initMemberList) is 3. */
export const MAX_JSON_DEPTH = 64;

/** Keys that can rewrite prototypes when a body is merged with `Object.assign` or `obj[key] = …` downstream. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Byte strings without which a body can hold neither a forbidden key nor a
 * NUL character: `\u` covers escaped spellings (`"\u005f_proto__"`,
 * `"\u0000"`). Most bodies contain none, and then the tree is never walked.
 */
const SUSPECT = ['__proto__', 'constructor', 'prototype', '\\u'].map((s) => Buffer.from(s));

export type JsonBody = { ok: true; payload: unknown } | { ok: false; message: string };

/**
 * Parses a callback body, refusing what the pipeline cannot carry safely:
 * nesting deeper than {@link MAX_JSON_DEPTH} (V8 parses it, but
 * `JSON.stringify` in the queue would overflow the stack), the keys
 * `__proto__`, `constructor` and `prototype` anywhere, and NUL characters
 * (Postgres cannot store them in text, so the job could never succeed).
 */
export function parseJsonBody(bytes: Buffer): JsonBody {
  if (nestingExceeds(bytes, MAX_JSON_DEPTH)) {
    return { ok: false, message: `body nests deeper than ${MAX_JSON_DEPTH} levels` };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    return { ok: false, message: `body is not valid JSON (${(err as Error).message})` };
  }
  if (SUSPECT.some((needle) => bytes.indexOf(needle) !== -1)) {
    const problem = findUnsafe(payload);
    if (problem) return { ok: false, message: problem };
  }
  return { ok: true, payload };
}

/** A scan over the raw bytes, skipping strings: no parse, no recursion. */
export function nestingExceeds(bytes: Uint8Array, limit: number): boolean {
  if (bytes.length <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === 0x5c) i++;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x7b || byte === 0x5b) {
      if (++depth > limit) return true;
    } else if (byte === 0x7d || byte === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** Walks the parsed tree (iteratively) for a forbidden key or a NUL character. */
function findUnsafe(root: unknown): string | undefined {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (value.includes('\0')) return 'a string in the body holds a NUL character (\\u0000)';
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (FORBIDDEN_KEYS.has(key)) {
          return `the body holds the key "${key}"; keys named __proto__, constructor or prototype are refused`;
        }
        if (key.includes('\0')) return 'a key in the body holds a NUL character (\\u0000)';
        pending.push(item);
      }
    }
  }
  return undefined;
}
