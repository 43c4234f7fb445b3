import { createHash, timingSafeEqual } from 'node:crypto';
import { fail, ok, type Result } from '@openim-sync/schema';

/** Refusal of a callback whose URL lacks the configured token. */
export interface TokenRejection {
  status: 401;
  reason: 'token';
  message: string;
}

/** The `CALLBACK_TOKEN` check: OpenIM's url becomes `{base}/{token}`, so the token is the first segment after the base. */
export interface CallbackToken {
  /** The path segments after the base without the token, or a rejection when the token is missing or wrong. */
  take(segments: readonly string[]): Result<readonly string[], TokenRejection>;
  /**
   * `path` as log lines and messages may show it: the token replaced by
   * `<token>`; for a path without the right token, nothing after the base
   * (what was sent instead may be a near miss, or the token in another place);
   * for a path outside the base (a typo in OpenIM's url), nothing at all.
   */
  redact(path: string): string;
  /** The callback URL as messages show it: `/callback` or `/callback/<token>`. */
  readonly shownBase: string;
}

/** Routes of the app itself, safe to show as they are. */
const OWN_ROUTES = new Set(['/healthz', '/readyz']);

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Builds the token check once at start-up. Both sides are hashed before the
 * constant-time comparison, so the buffers always have the same length and
 * neither the token's length nor its prefix leaks through timing. Without a
 * token every path passes unchanged (the behaviour before tokens existed).
 */
export function createCallbackToken(basePath: string, token: string | undefined): CallbackToken {
  const prefix = basePath === '/' ? '' : basePath;
  if (!token) return { take: (segments) => ok(segments), redact: (path) => path, shownBase: basePath };

  const expected = sha256(token);
  // One message for "missing" and "wrong", and never the segment that was sent.
  const rejection = fail<TokenRejection>({
    status: 401,
    reason: 'token',
    message: `missing or wrong callback token: OpenIM's url must be ${prefix}/<CALLBACK_TOKEN>`,
  });
  return {
    shownBase: `${prefix}/<token>`,
    take(segments) {
      const [first, ...rest] = segments;
      if (first === undefined || !timingSafeEqual(sha256(first), expected)) return rejection;
      return ok(rest);
    },
    redact(path) {
      if (prefix !== '' && path !== prefix && !path.startsWith(`${prefix}/`)) {
        return OWN_ROUTES.has(path) ? path : '<not a callback path>';
      }
      const segments = path.slice(prefix.length).split('/');
      const first = segments.find(Boolean);
      if (first === undefined) return path;
      if (!timingSafeEqual(sha256(first), expected)) return `${prefix}/<unauthorized>`;
      return prefix + segments.map((segment) => (segment === token ? '<token>' : segment)).join('/');
    },
  };
}
