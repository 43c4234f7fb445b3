import { env } from '@openim-sync/runtime';
import { z } from 'zod';
import { addressRuleProblem } from './allow-list.js';
import { trustedProxyProblem } from './client-address.js';

/** Shortest accepted CALLBACK_TOKEN: 16 characters; `openssl rand -hex 32` gives 64. */
export const MIN_TOKEN_LENGTH = 16;

/** Every distinct problem of a list's entries, joined; empty when there is none. */
function problemsOf(entries: readonly string[], problemOf: (entry: string) => string | undefined): string {
  return [...new Set(entries.map(problemOf).filter((problem) => problem !== undefined))].join('; ');
}

/**
 * The ingress's security variables, merged into its config schema. Error
 * messages never quote a value: CALLBACK_TOKEN's is a secret (and parseEnv
 * leaves it out of its report too).
 */
export const securityEnv = {
  CALLBACK_TOKEN: z
    .string()
    .min(MIN_TOKEN_LENGTH, `must be at least ${MIN_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 32\`)`)
    .regex(/^[A-Za-z0-9._~-]+$/, 'may hold only letters, digits and - . _ ~ (it is a segment of the URL)')
    .optional()
    .meta({
      description:
        'Secret path segment before the command (at least 16 of A-Z a-z 0-9 - . _ ~; e.g. `openssl rand -hex 32`): ' +
        "OpenIM's webhooks.yml url becomes `http://<host>:8080/callback/<token>`; other requests get 401. Never logged.",
      secret: true,
    }),
  ALLOWED_IPS: env
    .list()
    .pipe(
      z
        .array(z.string())
        .min(1, 'name at least one address or CIDR block, or leave it unset to allow every address')
        .refine((entries) => problemsOf(entries, addressRuleProblem) === '', {
          error: (issue) => problemsOf(issue.input as string[], addressRuleProblem),
        }),
    )
    .optional()
    .meta({
      description:
        'Comma-separated addresses and CIDR blocks (IPv4, IPv6) allowed to post callbacks; others get 403 ' +
        '(/healthz and /readyz stay open). Everyone when unset.',
      example: '10.0.0.0/8,192.168.1.20,fd00::/8',
    }),
  TRUST_PROXY: env
    .list()
    .transform((entries) => (entries.length === 1 && /^(?:false|0)$/i.test(entries[0] ?? '') ? [] : entries))
    .pipe(
      z.array(z.string()).refine((entries) => problemsOf(entries, trustedProxyProblem) === '', {
        error: (issue) => problemsOf(issue.input as string[], trustedProxyProblem),
      }),
    )
    .default([])
    .meta({
      description:
        'Reverse proxies in front of the ingress whose X-Forwarded-For entries are believed: comma-separated ' +
        "addresses and CIDR blocks, or `loopback`, `linklocal`, `uniquelocal`. Unset or `false`: the socket's " +
        'peer is the client. A count (`true`, `1`, `2`) is refused: a client reaching the ingress directly could forge it.',
      example: '172.18.0.0/16',
    }),
} as const;

const SecurityEnv = z.object(securityEnv);
type SecurityEnv = z.output<typeof SecurityEnv>;

/** What the app needs from the security variables. */
export interface SecuritySettings {
  /** Required first path segment after the base path; no token check when undefined. */
  callbackToken?: string;
  /** Addresses and CIDR blocks allowed to call; empty means everyone. */
  allowedIps: string[];
  /** Addresses, CIDR blocks or proxy-addr range names of the proxies whose X-Forwarded-For entries are believed; empty ignores the header. */
  trustedProxies: string[];
}

export function toSecuritySettings(e: SecurityEnv): SecuritySettings {
  return {
    ...(e.CALLBACK_TOKEN === undefined ? {} : { callbackToken: e.CALLBACK_TOKEN }),
    allowedIps: e.ALLOWED_IPS ?? [],
    trustedProxies: e.TRUST_PROXY,
  };
}
