/**
 * What the projection stores in place of a character Postgres `text` cannot
 * hold: U+FFFD, the Unicode replacement character.
 */
export const TEXT_REPLACEMENT = '\uFFFD';

const NUL = '\u0000';
// A lone UTF-16 surrogate has no UTF-8 form: the driver would send U+FFFD for it anyway, so
// replacing it here keeps the reconciler's comparison equal to what is stored.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/**
 * A string as the projection stores it: each U+0000 and each lone surrogate
 * becomes {@link TEXT_REPLACEMENT}. OpenIM passes client data through
 * (nicknames, ex, face URLs, even ids), NUL included. The mapping is the
 * same every time, so a later event with the same raw id finds the same
 * row; a raw id that already holds U+FFFD in the same place shares it.
 * Idempotent.
 */
export function toPgText(value: string): string {
  // Postgres refuses U+0000 in text: "invalid byte sequence for encoding UTF8: 0x00" (SQLSTATE 22021).
  const text = value.includes(NUL) ? value.replaceAll(NUL, TEXT_REPLACEMENT) : value;
  return LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATES, TEXT_REPLACEMENT) : text;
}

/** A statement parameter with every string in it (arrays of strings included) made storable. */
export function toPgParam(value: unknown): unknown {
  if (typeof value === 'string') return toPgText(value);
  if (Array.isArray(value)) return value.map(toPgParam);
  return value;
}
