import ms from 'ms';

/** An expected failure, reported to the operator as a usage error. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

// The forms the help documents: a whole number and one unit letter. `ms` alone would
// also take "30" (as 30 milliseconds), "1.5h" and "-1h", all likely slips on a command line.
const DURATION = /^\d+[smhd]$/;
// A calendar date, optionally with a time and a zone: what an operator copies from a log line or from `jobs failed`.
const ISO_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses a `--since` value into epoch milliseconds: a duration back from
 * `now` (`30s`, `15m`, `1h`, `2d`) or an ISO timestamp
 * (`2026-11-25T10:00:00Z`). Times without a zone are UTC, like every time
 * the tool prints (JavaScript would read them as local time).
 */
export function parseSince(value: string, now: number): Parsed<number> {
  const text = value.trim();
  // ms reads nothing past 100 characters: such a "duration" is garbage, not forever.
  const span = DURATION.test(text) ? ms(text as ms.StringValue) : undefined;
  if (span !== undefined && Number.isFinite(span)) return { ok: true, value: now - span };
  const iso = ISO_TIME.exec(text);
  if (iso) {
    const [, date, time = '00:00', zone = 'Z'] = iso;
    const parsed = Date.parse(`${date}T${time}${zone}`);
    if (!Number.isNaN(parsed)) return { ok: true, value: parsed };
  }
  return {
    ok: false,
    message: `--since "${value}": expected a duration such as 30s, 15m, 1h, 2d or an ISO time such as 2026-11-25T10:00:00Z`,
  };
}

/** Parses `--limit`: a positive whole number. */
export function parseLimit(value: string): Parsed<number> {
  const limit = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (Number.isSafeInteger(limit) && limit > 0) return { ok: true, value: limit };
  return { ok: false, message: `--limit "${value}": expected a positive whole number` };
}
