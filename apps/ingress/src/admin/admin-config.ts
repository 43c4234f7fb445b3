import { type BasicCredentials, credentialsOf, env, requirePair } from '@openim-sync/runtime';
import { z } from 'zod';

/**
 * Variables of the admin listener (dashboard and /metrics). The ingress
 * config merges this shape into its schema, with {@link checkAdminEnv}.
 */
export const adminEnv = {
  /** Port of the admin listener (dashboard and /metrics); it starts only when ADMIN_USER and ADMIN_PASSWORD are set. */
  ADMIN_PORT: env.port(8081),
  /** Address the admin listener binds; 127.0.0.1 keeps the dashboard to this host. */
  ADMIN_HOST: z.string().min(1).default('0.0.0.0'),
  /** User name of the admin listener's basic auth (no ":", as basic auth cannot carry one). */
  ADMIN_USER: z
    .string()
    .regex(/^[^:]+$/, 'must not contain ":"')
    .optional(),
  /** Password of the admin listener's basic auth; the dashboard can retry and delete jobs, so not a short one. Never logged. */
  ADMIN_PASSWORD: z.string().min(8, 'use at least 8 characters').optional(),
  /** `true`: the dashboard only shows (no retry, clean, pause…); every write is refused with 403. */
  ADMIN_READ_ONLY: env.bool(false),
} as const;

/** Refinement for the schema: ADMIN_USER and ADMIN_PASSWORD come as a pair. */
export const checkAdminEnv = requirePair('ADMIN_USER', 'ADMIN_PASSWORD');

export interface AdminConfig {
  port: number;
  host: string;
  credentials: BasicCredentials;
  /** ADMIN_READ_ONLY. */
  readOnly: boolean;
}

type AdminEnv = z.output<z.ZodObject<typeof adminEnv>>;

/** The admin listener's settings, or `undefined` when no credentials are configured (it does not start). */
export function toAdminConfig(e: AdminEnv): AdminConfig | undefined {
  const credentials = credentialsOf(e.ADMIN_USER, e.ADMIN_PASSWORD);
  return credentials && { port: e.ADMIN_PORT, host: e.ADMIN_HOST, credentials, readOnly: e.ADMIN_READ_ONLY };
}
