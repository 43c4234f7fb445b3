/** An expected failure, reported to the operator as a usage error. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)(s|m|h|d)$/;
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
  const duration = DURATION.exec(text);
  if (duration) {
    const amount = Number(duration[1]);
    const unit = duration[2] as keyof typeof UNIT_MS;
    return { ok: true, value: now - amount * UNIT_MS[unit] };
  }
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
