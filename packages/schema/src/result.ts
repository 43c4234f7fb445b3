/**
 * An expected failure as a value: a body that is not JSON, a command the
 * catalog does not know. Throwing stays for the exceptional (a bug, a lost
 * connection). `reason` says why; a string unless the caller must branch on it.
 */
export type Result<T, R = string> = { ok: true; value: T } | { ok: false; reason: R };

/** The success of a {@link Result}. */
export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** The failure of a {@link Result}. */
export function fail<R>(reason: R): { ok: false; reason: R } {
  return { ok: false, reason };
}
