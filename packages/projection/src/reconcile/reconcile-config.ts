import { env } from '@openim-sync/runtime';
import { z } from 'zod';

/** Variables of reconciliation against OpenIM's REST API; the worker's config and the `jobs` tool merge this shape. */
export const reconcileEnv = {
  OPENIM_API_URL: env.url(['http', 'https']).optional().meta({
    description:
      "OpenIM's REST API; setting it turns reconciliation on (needs the postgres sink). Unset: the pipeline works on callbacks alone.",
    example: 'http://openim-server:10002',
  }),
  OPENIM_ADMIN_SECRET: z.string().optional().meta({
    description: "OpenIM's share.yml `secret`, for the admin token; required with OPENIM_API_URL; never logged.",
    secret: true,
  }),
  OPENIM_ADMIN_USER_ID: z
    .string()
    .min(1)
    .default('imAdmin')
    .meta({
      description:
        "One of OpenIM's admin user IDs (share.yml `imAdminUserID`). Prefer one of its own: on newer OpenIM each " +
        'new admin token invalidates the previous one of the same user after 5 minutes.',
    }),
  OPENIM_TIMEOUT_MS: env.positiveInt(10_000).meta({
    description: 'Time in ms one call to OpenIM may take before it counts as unreachable.',
  }),
  RECONCILE_INTERVAL: env.duration('0').meta({
    description:
      'How often every group is reconciled: `30s`, `15m`, `6h`, `1d` (a bare number is ms); 0: no schedule ' +
      '(`pnpm jobs reconcile` on demand).',
  }),
} as const;

type ReconcileEnv = z.output<z.ZodObject<typeof reconcileEnv>>;

/** Refinement for the worker's schema: the secret comes with the URL, the schedule needs both and Postgres. */
export function checkReconcileEnv(e: ReconcileEnv & { SINKS?: string[] }, ctx: z.RefinementCtx) {
  if (e.OPENIM_API_URL && e.OPENIM_ADMIN_SECRET === undefined) {
    ctx.addIssue({ code: 'custom', path: ['OPENIM_ADMIN_SECRET'], message: 'required when OPENIM_API_URL is set' });
  }
  if (e.RECONCILE_INTERVAL > 0 && !e.OPENIM_API_URL) {
    ctx.addIssue({ code: 'custom', path: ['RECONCILE_INTERVAL'], message: 'needs OPENIM_API_URL' });
  }
  if (e.OPENIM_API_URL && e.SINKS && !e.SINKS.includes('postgres')) {
    const message = 'reconciliation repairs the postgres projection: SINKS must include postgres';
    ctx.addIssue({ code: 'custom', path: ['OPENIM_API_URL'], message });
  }
}

/** How to reach OpenIM's REST API (the createOpenImClient options). */
export interface OpenImConfig {
  baseUrl: string;
  secret: string;
  adminUserID: string;
  timeoutMs: number;
}

export interface ReconcileConfig {
  openim: OpenImConfig;
  /** 0: no schedule. */
  intervalMs: number;
}

/** Reconciliation's settings, or `undefined` when OPENIM_API_URL is unset (reconciliation off). */
export function toReconcileConfig(e: ReconcileEnv): ReconcileConfig | undefined {
  if (!e.OPENIM_API_URL || e.OPENIM_ADMIN_SECRET === undefined) return undefined;
  return {
    openim: {
      baseUrl: e.OPENIM_API_URL,
      secret: e.OPENIM_ADMIN_SECRET,
      adminUserID: e.OPENIM_ADMIN_USER_ID,
      timeoutMs: e.OPENIM_TIMEOUT_MS,
    },
    intervalMs: e.RECONCILE_INTERVAL,
  };
}
