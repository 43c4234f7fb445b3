import { fail, ok, type Result } from './result.js';

/** Deepest nesting a callback body may have; OpenIM's deepest (initMemberList) is 3. */
export const MAX_JSON_DEPTH = 64;

/** Keys that can rewrite prototypes when a body is merged with `Object.assign` or `obj[key] = …` downstream. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Byte strings without which a body cannot hold a forbidden key: `\u`
 * covers escaped spellings (`"\u005f_proto__"`). Most bodies contain none,
 * and then the tree is never walked.
 */
const SUSPECT = ['__proto__', 'constructor', 'prototype', '\\u'].map((s) => Buffer.from(s));

/**
 * Why a body was refused: `syntax` when it is not JSON at all (garbage,
 * never kept), `unsafe` when it is JSON the pipeline cannot carry safely
 * (kept aside with its bytes, like a body that fails its schema).
 */
export interface JsonBodyFailure {
  code: 'syntax' | 'unsafe';
  message: string;
}

/** A parsed body (the payload), or why not. */
export type JsonBody = Result<unknown, JsonBodyFailure>;

/**
 * Parses a callback body, the one way the ingress and the worker's inbox
 * mover both do, refusing what the pipeline cannot carry safely: nesting
 * deeper than {@link MAX_JSON_DEPTH} (V8 parses it, but `JSON.stringify` in
 * the queue would overflow the stack; OpenIM's deepest body nests 3) and the
 * keys `__proto__`, `constructor` and `prototype` anywhere (no OpenIM struct
 * has them). NUL characters are accepted: clients put them in message
 * content, `ex` and nicknames, and Go writes `string(int32)` values such as
 * the dismissal's `groupType` `"\u0000"`; the Postgres sink replaces them
 * where text cannot hold them.
 */
export function parseJsonBody(bytes: Buffer): JsonBody {
  if (nestingExceeds(bytes, MAX_JSON_DEPTH)) {
    return fail({ code: 'unsafe', message: `body nests deeper than ${MAX_JSON_DEPTH} levels` });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    return fail({ code: 'syntax', message: `body is not valid JSON (${(err as Error).message})` });
  }
  if (SUSPECT.some((needle) => bytes.indexOf(needle) !== -1)) {
    const problem = findUnsafe(payload);
    if (problem) return fail({ code: 'unsafe', message: problem });
  }
  return ok(payload);
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

/** Walks the parsed tree (iteratively) for a forbidden key. */
function findUnsafe(root: unknown): string | undefined {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (FORBIDDEN_KEYS.has(key)) {
          return `the body holds the key "${key}"; keys named __proto__, constructor or prototype are refused`;
        }
        pending.push(item);
      }
    }
  }
  return undefined;
}

/** A JSON number token of 16 or more digits (2^53 has 16): the only ones a double may not hold exactly. */
const LONG_INTEGER = /[:,[]\s*(-?\d{16,})(?![\d.eE])/g;

/**
 * The body's own text when it holds an integer a JavaScript number cannot
 * carry exactly (Go's int64 goes to ±2^63; clients set some, such as a
 * message's createTime), else undefined. Parsed, such a value is rounded; the
 * HTTP sink forwards this text as the payload instead, so the App gets the
 * exact value. Cheap for the usual body: one scan, no parse.
 */
export function exactPayloadText(bytes: Buffer): string | undefined {
  const text = bytes.toString('utf8');
  for (const match of text.matchAll(LONG_INTEGER)) {
    if (!Number.isSafeInteger(Number(match[1]))) return text.trim();
  }
  return undefined;
}
