import { env } from '@openim-sync/runtime';
import { z } from 'zod';
import { parseAddressRule } from './allow-list.js';

/** Shortest accepted CALLBACK_TOKEN: 16 characters; `openssl rand -hex 32` gives 64. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * The ingress's security variables, merged into its config schema. Error
 * messages never quote a value: CALLBACK_TOKEN's is a secret (and parseEnv
 * leaves it out of its report too).
 */
export const securityEnv = {
  /** Secret path segment before the command: OpenIM's url becomes `http://host/callback/<token>`. */
  CALLBACK_TOKEN: z
    .string()
    .min(MIN_TOKEN_LENGTH, `must be at least ${MIN_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 32\`)`)
    .regex(/^[A-Za-z0-9._~-]+$/, 'may hold only letters, digits and - . _ ~ (it is a segment of the URL)')
    .optional(),
  /** Comma list of addresses and CIDR blocks (IPv4 and IPv6) that may send callbacks; everyone when unset. */
  ALLOWED_IPS: env
    .list()
    .pipe(
      z
        .array(z.string())
        .min(1, 'name at least one address or CIDR block, or leave it unset to allow every address')
        .refine((entries) => entries.every((entry) => parseAddressRule(entry)), {
          error: (issue) =>
            `not an IP address or CIDR block: ${(issue.input as string[]).filter((e) => !parseAddressRule(e)).join(', ')}`,
        }),
    )
    .optional(),
  /** Reverse proxies in front of the ingress whose X-Forwarded-For entries are believed: false/0 (default), true (= 1) or a count. */
  TRUST_PROXY: z
    .string()
    .regex(/^(?:true|false|\d{1,2})$/i, 'must be true, false or the number of proxies in front (0–99)')
    .transform((value) => (/^true$/i.test(value) ? 1 : /^false$/i.test(value) ? 0 : Number(value)))
    .default(0),
} as const;

const SecurityEnv = z.object(securityEnv);
type SecurityEnv = z.output<typeof SecurityEnv>;

/** What the app needs from the security variables. */
export interface SecuritySettings {
  /** Required first path segment after the base path; no token check when undefined. */
  callbackToken?: string;
  /** Addresses and CIDR blocks allowed to call; empty means everyone. */
  allowedIps: string[];
  /** Proxies whose X-Forwarded-For entries are believed; 0 ignores the header. */
  trustedProxies: number;
}

export function toSecuritySettings(e: SecurityEnv): SecuritySettings {
  return {
    ...(e.CALLBACK_TOKEN === undefined ? {} : { callbackToken: e.CALLBACK_TOKEN }),
    allowedIps: e.ALLOWED_IPS ?? [],
    trustedProxies: e.TRUST_PROXY,
  };
}
