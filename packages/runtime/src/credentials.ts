import type { z } from 'zod';

/** A user name and password for HTTP basic auth on an operator's listener. */
export interface BasicCredentials {
  username: string;
  password: string;
}

/**
 * A config-schema refinement for a user/password pair of variables: set both
 * or neither. Half a pair is a typo worth stopping for, not a reason to
 * serve a listener without its password (or to silently not serve it).
 */
export function requirePair(user: string, password: string) {
  return (values: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const hasUser = values[user] !== undefined;
    const hasPassword = values[password] !== undefined;
    if (hasUser === hasPassword) return;
    const [missing, other] = hasUser ? [password, user] : [user, password];
    ctx.addIssue({ code: 'custom', path: [missing], message: `required when ${other} is set (set both or neither)` });
  };
}

/** The pair as credentials, or `undefined` when neither is set. */
export function credentialsOf(
  username: string | undefined,
  password: string | undefined,
): BasicCredentials | undefined {
  return username !== undefined && password !== undefined ? { username, password } : undefined;
}
