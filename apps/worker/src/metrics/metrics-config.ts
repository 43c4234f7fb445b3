import { type BasicCredentials, credentialsOf, env, requirePair } from '@openim-sync/runtime';
import { z } from 'zod';

/** Variables of the worker's metrics and health listener; the worker config merges this shape. */
export const metricsEnv = {
  /** Port of the worker's /metrics, /healthz and /readyz listener; 0 turns it off. */
  METRICS_PORT: env.port(8082),
  /** Address the metrics listener binds; 0.0.0.0 so Prometheus and the orchestrator can reach it. */
  METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  /** User name of basic auth on /metrics (no ":"); no /metrics without it. /healthz and /readyz stay open. */
  METRICS_USER: env.basicAuthUser(),
  /** Password of basic auth on /metrics; never logged. */
  METRICS_PASSWORD: env.basicAuthPassword(),
} as const;

/** Refinement for the schema: METRICS_USER and METRICS_PASSWORD come as a pair. */
export const checkMetricsEnv = requirePair('METRICS_USER', 'METRICS_PASSWORD');

export interface MetricsConfig {
  port: number;
  host: string;
  /** Basic auth on /metrics; no /metrics when undefined. */
  credentials: BasicCredentials | undefined;
}

type MetricsEnv = z.output<z.ZodObject<typeof metricsEnv>>;

/** The listener's settings, or `undefined` when METRICS_PORT is 0 (no listener). */
export function toMetricsConfig(e: MetricsEnv): MetricsConfig | undefined {
  if (e.METRICS_PORT === 0) return undefined;
  return { port: e.METRICS_PORT, host: e.METRICS_HOST, credentials: credentialsOf(e.METRICS_USER, e.METRICS_PASSWORD) };
}
