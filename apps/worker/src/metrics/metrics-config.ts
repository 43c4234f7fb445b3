import { type BasicCredentials, credentialsOf, env, metricsAuthEnv } from '@openim-sync/runtime';
import { z } from 'zod';

/** Variables of the worker's metrics and health listener; the worker config merges this shape. */
export const metricsEnv = {
  METRICS_PORT: env.port(8082).meta({
    description: "Port of the worker's own listener: /metrics (Prometheus), /healthz and /readyz; 0 turns it off.",
  }),
  METRICS_HOST: z.string().min(1).default('0.0.0.0').meta({
    description: "Address the worker's metrics listener binds; `0.0.0.0` so Prometheus and the orchestrator reach it.",
  }),
  ...metricsAuthEnv,
} as const;

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
