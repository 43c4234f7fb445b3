import { z } from 'zod';

/**
 * An id the Postgres projections key on (the group and user ids of
 * membership, profile and presence events): a non-empty string of any
 * length. OpenIM puts no limit on ids; one too long for the projection's
 * index fails its job permanently in the sink, it is not refused here.
 */
export const Id = z.string().min(1, 'must be a non-empty string');

/**
 * Any string, empty and NUL included: OpenIM's ids and texts are client
 * data, so a field no sink keys on takes whatever Go's `string` can hold.
 */
export const AnyString = z.string();

/** A string OpenIM may send as `null` (Go's nil or "unchanged"). */
export const OptionalString = z.string().nullish();

/**
 * An integer a double holds exactly (|n| < 2^53), `null` or left out: for
 * Go int32s and OpenIM's own clocks, which never go beyond it.
 */
export const OptionalInt = z.number().int().nullish();

/**
 * Any Go integer (int32, int64, uint32), `null` or left out. Clients set
 * some int64 fields (a message's createTime), so any value in int64 range
 * can arrive; beyond 2^53 JSON.parse rounds it to the nearest double, which
 * is still an integer.
 */
export const OptionalInt64 = z.number().refine(Number.isInteger, 'must be an integer').nullish();

/** A Go int64 that is never `null` (a plain field, not a pointer): any integer, as above. */
export const Int64 = z.number().refine(Number.isInteger, 'must be an integer');

/**
 * A Go int derived from an int32 (a platform id), `null` or left out: the
 * presence projection keys on it in an `integer` column.
 */
export const OptionalInt32 = z
  .number()
  .int()
  .min(-(2 ** 31))
  .max(2 ** 31 - 1)
  .nullish();

/** A boolean OpenIM may send as `null` or leave out. */
export const OptionalBool = z.boolean().nullish();

/**
 * A list of ids a projection keys on (non-empty entries). Go encodes a nil
 * slice as `null`, so `null` and a missing field both read as an empty list.
 */
export const IdList = z
  .array(Id)
  .nullish()
  .transform((ids) => ids ?? []);

/** A list of strings no sink keys on (`atUserList`, ids of friend events): any entries, empty ones too. */
export const StringList = z
  .array(AnyString)
  .nullish()
  .transform((values) => values ?? []);

/** A list of Go int64s (message sequences): any integers; `null` and missing read as empty. */
export const IntList = z
  .array(Int64)
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

/**
 * A Go int64 as an exact number, or `null` when a double cannot hold it (it
 * arrived rounded): for a value a projection orders by or stores in a
 * `bigint`, where a rounded 2^63 would fail the job on every attempt.
 */
export function exactInt(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
}

/** The latest instant a JavaScript Date holds, in ms (the year 275760; Postgres' timestamptz goes further). */
const MAX_DATE_MS = 8.64e15;

/**
 * A Go int64 of milliseconds since the epoch as an instant, or `null`: 0
 * (Go's zero value, "not set"), negative values and values past what a Date
 * holds are not instants a client could mean, and the projection could not
 * store them as a `timestamptz`.
 */
export function msInstant(value: number | null | undefined): number | null {
  return typeof value === 'number' && value > 0 && value <= MAX_DATE_MS ? value : null;
}
