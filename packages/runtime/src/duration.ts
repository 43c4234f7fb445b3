import ms from 'ms';

/**
 * A duration as whole milliseconds: what the `ms` package reads (`500ms`,
 * `30s`, `15m`, `6h`, `1d`, `1.5h`, long forms such as `2 hours`), a bare
 * number being milliseconds. `undefined` for anything else, and for a
 * negative duration: every setting that takes one means a wait or a period.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const value = ms(trimmed as ms.StringValue);
  return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
}
