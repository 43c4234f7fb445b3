// Placeholder for a bigint while JSON.stringify runs: no Go-encoded string can
// contain it, since the encoder writes NUL as the six characters \u0000.
const INT64 = '\u0000int64\u0000';
const INT64_PLACEHOLDER = /"\\u0000int64\\u0000(-?\d+)"/g;

const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * The bytes Go's `json.NewEncoder(w).Encode(v)` writes for `value`, which is
 * what OpenIM posts (openimsdk/tools utils/httputil/http_client.go): compact,
 * keys in the order given (a Go struct's declaration order), `<` `>` `&`
 * U+2028 U+2029 escaped, other control characters as `\u00XX`, and a
 * trailing newline. A `bigint` is written as its exact digits, as Go writes
 * an int64 that a double cannot hold.
 */
export function goJson(value: unknown): Buffer {
  const text = JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? `${INT64}${v}` : v))
    .replace(INT64_PLACEHOLDER, '$1')
    .replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] as string);
  return Buffer.from(`${text}\n`);
}
