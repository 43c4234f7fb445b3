import { z } from 'zod';

/**
 * An OpenIM identifier (user, group, message). OpenIM never sends an empty
 * one for a field the pipeline keys on, so an empty string is a malformed
 * callback. The cap keeps ids indexable: Postgres refuses a btree key over
 * ~2.7 KB, so a longer id would be acknowledged and then fail in the sink on
 * every attempt.
 */
export const MAX_ID_LENGTH = 256;
export const Id = z
  .string()
  .min(1, 'must be a non-empty string')
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`);

/** A string OpenIM may send as `null` (Go's nil or "unchanged"). */
export const OptionalString = z.string().nullish();

/**
 * An integer OpenIM may send as `null` or leave out. Go's int64 values
 * (`seq`, `sendTime`, `createTime`) arrive as JSON numbers; those OpenIM
 * sends today (ms clocks, per-conversation sequences) stay below 2^53, so a
 * double holds them exactly.
 */
export const OptionalInt = z.number().int().nullish();

/** A boolean OpenIM may send as `null` or leave out. */
export const OptionalBool = z.boolean().nullish();

/**
 * A list of ids. Go encodes a nil slice as `null`, so `null` and a missing
 * field both read as an empty list.
 */
export const IdList = z
  .array(Id)
  .nullish()
  .transform((ids) => ids ?? []);

/** A list of integers (message sequences); `null` and missing read as empty. */
export const IntList = z
  .array(z.number().int())
  .nullish()
  .transform((values) => values ?? []);

/** Turns `null`/`undefined` into `null` so normalised events have one "absent" value. */
export function orNull<T>(value: T | null | undefined): T | null {
  return value ?? null;
}

/**
 * Turns `null`, `undefined` and `""` into `null`: for Go string fields whose
 * zero value means "not set" (an unchanged field of an old-style update, an
 * owner OpenIM did not fill in).
 */
export function blankToNull(value: string | null | undefined): string | null {
  return value ? value : null;
}

/** The first of `values` that is neither `null`, `undefined` nor `""`. */
export function firstSet<T>(...values: Array<T | null | undefined>): T | null {
  for (const value of values) {
    if (value !== null && value !== undefined && value !== '') return value;
  }
  return null;
}

/** Keeps each id once, in first-seen order. */
export function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
