import {
  type BasicCredentials,
  checkMetricsAuth,
  credentialsOf,
  env,
  metricsAuthEnv,
  requirePair,
} from '@openim-sync/runtime';
import { z } from 'zod';

/**
 * Variables of the admin listener: the dashboard (ADMIN_*) and /metrics
 * (METRICS_*, the names and meaning the worker's /metrics uses), each behind
 * a credential of its own. The ingress config merges this shape into its
 * schema, with {@link checkAdminEnv}.
 */
export const adminEnv = {
  ADMIN_PORT: env.port(8081).meta({
    description:
      'Port of the admin listener; it starts when ADMIN_USER/ADMIN_PASSWORD or METRICS_USER/METRICS_PASSWORD are set.',
  }),
  ADMIN_HOST: z
    .string()
    .min(1)
    .default('0.0.0.0')
    .meta({ description: 'Address the admin listener binds; `127.0.0.1` keeps the dashboard to this host.' }),
  ADMIN_USER: env
    .basicAuthUser()
    .meta({ description: "User name of the dashboard's basic auth (no `:`).", example: 'ops' }),
  ADMIN_PASSWORD: env.basicAuthPassword().meta({
    description:
      "Password of the dashboard's basic auth, at least 8 characters: the dashboard can retry and delete jobs. Never logged.",
    secret: true,
  }),
  ADMIN_READ_ONLY: env.bool(false).meta({
    description: '`true`: the dashboard only shows (no retry, clean, pause…); every write gets 403.',
  }),
  ...metricsAuthEnv,
} as const;

type AdminEnv = z.output<z.ZodObject<typeof adminEnv>>;

const adminPair = requirePair('ADMIN_USER', 'ADMIN_PASSWORD');

/**
 * Refinement for the schema: each user comes with its password, and the two
 * credentials differ, so the one Prometheus holds never opens the dashboard.
 */
export function checkAdminEnv(values: AdminEnv, ctx: z.RefinementCtx): void {
  adminPair(values, ctx);
  checkMetricsAuth(values, ctx);
  const { ADMIN_USER, ADMIN_PASSWORD, METRICS_USER, METRICS_PASSWORD } = values;
  if (ADMIN_USER !== undefined && ADMIN_USER === METRICS_USER && ADMIN_PASSWORD === METRICS_PASSWORD) {
    ctx.addIssue({
      code: 'custom',
      path: ['METRICS_PASSWORD'],
      message:
        'METRICS_USER/METRICS_PASSWORD must differ from ADMIN_USER/ADMIN_PASSWORD: the scrape credential must not open the dashboard',
    });
  }
}

export interface AdminConfig {
  port: number;
  host: string;
  /** ADMIN_USER/ADMIN_PASSWORD: the dashboard; none when undefined. */
  dashboard: BasicCredentials | undefined;
  /** METRICS_USER/METRICS_PASSWORD: /metrics; none (and no metrics collected) when undefined. */
  metrics: BasicCredentials | undefined;
  /** ADMIN_READ_ONLY. */
  readOnly: boolean;
}

/** The admin listener's settings, or `undefined` when neither credential is configured (it does not start). */
export function toAdminConfig(e: AdminEnv): AdminConfig | undefined {
  const dashboard = credentialsOf(e.ADMIN_USER, e.ADMIN_PASSWORD);
  const metrics = credentialsOf(e.METRICS_USER, e.METRICS_PASSWORD);
  if (!dashboard && !metrics) return undefined;
  return { port: e.ADMIN_PORT, host: e.ADMIN_HOST, dashboard, metrics, readOnly: e.ADMIN_READ_ONLY };
}
