import { z } from 'zod';

/**
 * An OpenIM identifier (user, group). OpenIM never sends an empty one for a
 * field the pipeline keys on, so an empty string is a malformed callback.
 */
export const Id = z.string().min(1, 'must be a non-empty string');

/** A string OpenIM may send as `null` (Go's nil or "unchanged"). */
export const OptionalString = z.string().nullish();

/** An integer OpenIM may send as `null` or leave out. */
export const OptionalInt = z.number().int().nullish();

/**
 * A list of ids. Go encodes a nil slice as `null`, so `null` and a missing
 * field both read as an empty list.
 */
export const IdList = z
  .array(Id)
  .nullish()
  .transform((ids) => ids ?? []);

/** Turns `null`/`undefined` into `null` so normalised events have one "absent" value. */
export function orNull<T>(value: T | null | undefined): T | null {
  return value ?? null;
}

/** Keeps each id once, in first-seen order. */
export function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
