/**
 * A JSON string literal (skipped as a whole, so digits inside strings are
 * never touched), or an integer literal of 16 digits or more that is not
 * part of a longer number (no digit, `.`, exponent or sign next to it).
 */
const TOKEN = /"(?:[^"\\]|\\.)*"|(?<![\w.+-])-?\d{16,}(?![\w.])/g;

/**
 * `JSON.parse` that keeps integers beyond 2^53 exact: such literals become
 * decimal strings, everything else parses as usual. OpenIM's Go structs
 * carry 64-bit hashes and versions (`groupMemberListHash` is a uint64) that
 * a plain parse rounds to the nearest double, so two different hashes could
 * compare equal. Callers read those fields with {@link int64String}.
 */
export function parseJsonLossless(text: string): unknown {
  return JSON.parse(
    text.replace(TOKEN, (token) =>
      token.startsWith('"') || Number.isSafeInteger(Number(token)) ? token : `"${token}"`,
    ),
  );
}

/**
 * A 64-bit integer field as an exact decimal string, whether the JSON had it
 * small (a number) or large (a string from {@link parseJsonLossless}).
 */
export function int64String(value: unknown): string | undefined {
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return undefined;
}
