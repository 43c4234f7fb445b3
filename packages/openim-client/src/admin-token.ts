import { OpenImApiError, OpenImAuthError } from './errors.js';
import type { PostResult } from './transport.js';

/** v3.8.1 and later. */
export const ADMIN_TOKEN_PATH = '/auth/get_admin_token';
/** v3.7.0 – v3.8.0: a user token for the admin on the admin platform (10). */
export const USER_TOKEN_PATH = '/auth/user_token';
const ADMIN_PLATFORM_ID = 10;

/** Refresh this long before OpenIM says the token expires. */
const EXPIRY_MARGIN_MS = 60_000;

export interface AdminTokenOptions {
  post: (path: string, body: unknown) => Promise<PostResult>;
  secret: string;
  adminUserID: string;
  now?: () => number;
}

export interface AdminTokens {
  /** The cached token, fetched when there is none (one fetch however many callers wait). */
  get(): Promise<string>;
  /** Forgets `token` (when it is still the cached one), so the next get() fetches a new one. */
  invalidate(token: string): void;
}

/**
 * OpenIM's admin token, cached. Asks the v3.8.1+ call first and falls back
 * to the v3.7 call when the server does not know the route (gin answers an
 * unknown route with a plain HTTP 404, no envelope), remembering which one
 * worked. Any errCode from the token call means the credentials are wrong
 * (1002: the secret; 1001/1004: the user is no admin), so it becomes an
 * {@link OpenImAuthError}.
 */
export function createAdminTokens({ post, secret, adminUserID, now = Date.now }: AdminTokenOptions): AdminTokens {
  let path = ADMIN_TOKEN_PATH;
  let cached: { token: Promise<string>; expiresAt: number } | undefined;
  let current: string | undefined;

  async function request(): Promise<{ token: string; expiresAt: number }> {
    let result = await post(path, tokenRequest(path));
    if (!result.ok && (result.status === 404 || result.status === 405) && path === ADMIN_TOKEN_PATH) {
      path = USER_TOKEN_PATH;
      result = await post(path, tokenRequest(path));
    }
    if (!result.ok) {
      throw new OpenImApiError({ code: result.status, httpStatus: result.status, path, errMsg: 'no OpenIM envelope' });
    }
    const { errCode, errMsg, errDlt, data } = result.envelope;
    if (errCode !== 0) {
      const cause = new OpenImApiError({ code: errCode, errMsg, errDlt, path });
      throw new OpenImAuthError(
        `OpenIM refused the admin credentials (errCode ${errCode}${errMsg ? ` ${errMsg}` : ''}): check the secret ` +
          `(share.yml) and that "${adminUserID}" is one of OpenIM's admin user IDs`,
        { code: errCode, path },
        { cause },
      );
    }
    const body = (data ?? {}) as { token?: unknown; expireTimeSeconds?: unknown };
    if (typeof body.token !== 'string' || body.token === '') {
      throw new OpenImApiError({ code: -1, path, errMsg: 'token answer without a token' });
    }
    const seconds = typeof body.expireTimeSeconds === 'number' ? body.expireTimeSeconds : 0;
    return { token: body.token, expiresAt: seconds > 0 ? now() + seconds * 1000 - EXPIRY_MARGIN_MS : Infinity };
  }

  function tokenRequest(at: string) {
    return at === USER_TOKEN_PATH
      ? { secret, platformID: ADMIN_PLATFORM_ID, userID: adminUserID }
      : { secret, userID: adminUserID };
  }

  return {
    get() {
      if (!cached || now() >= cached.expiresAt) {
        const fetching = request();
        const entry = { token: fetching.then((r) => r.token), expiresAt: Infinity };
        cached = entry;
        fetching.then(
          (r) => {
            entry.expiresAt = r.expiresAt;
            current = r.token;
          },
          // A failed fetch is not cached: the next call tries again.
          () => {
            if (cached === entry) cached = undefined;
          },
        );
      }
      return cached.token;
    },
    invalidate(token) {
      if (current === token) {
        cached = undefined;
        current = undefined;
      }
    },
  };
}
