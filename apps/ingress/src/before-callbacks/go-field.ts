/**
 * Go's encoding/json matches an object key to a struct field by exact name
 * or, failing that, case-insensitively with Unicode simple folding, where
 * `ſ` (U+017F) folds to `s` and the Kelvin sign `K` to `k`. For the ASCII
 * field names used here, lower-casing plus that one extra fold gives the same
 * matches (JavaScript already lower-cases the Kelvin sign to `k`).
 */
function fold(key: string): string {
  return key.toLowerCase().replaceAll('\u017f', 's');
}

/**
 * The value Go would decode into the field `name` (an ASCII JSON name) from
 * `object`: the last key that matches it, `undefined` when none does. With
 * keys that differ only in case, Go takes the last one in the document; after
 * JSON.parse the order of repeated keys is no longer known, so this takes the
 * last one in property order. OpenIM never sends a field twice.
 */
export function goField(object: Readonly<Record<string, unknown>>, name: string): unknown {
  const wanted = fold(name);
  let value: unknown;
  for (const key of Object.keys(object)) {
    if (key === name || fold(key) === wanted) value = object[key];
  }
  return value;
}

/** The body as a JSON object, or undefined when it is not JSON or not an object. */
export function parseObject(body: Buffer | string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined;
}
