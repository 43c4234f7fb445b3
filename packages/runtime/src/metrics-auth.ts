import { env } from './config.js';
import { requirePair } from './credentials.js';

/**
 * The credential Prometheus sends to /metrics of the ingress and of every
 * worker: one pair for both apps, whose configs merge this shape and check it
 * with {@link checkMetricsAuth}.
 */
export const metricsAuthEnv = {
  METRICS_USER: env.basicAuthUser().meta({
    description:
      'User name of basic auth on /metrics (no `:`), what Prometheus sends to both apps; set both or neither. ' +
      "Each app serves /metrics only with them, never an open one (a worker's /healthz and /readyz always are). Must differ from the dashboard's ADMIN_USER/ADMIN_PASSWORD.",
    example: 'prometheus',
  }),
  METRICS_PASSWORD: env.basicAuthPassword().meta({
    description: 'Password of basic auth on /metrics, at least 8 characters; never logged.',
    secret: true,
  }),
} as const;

/** Refinement for a config schema: METRICS_USER and METRICS_PASSWORD come as a pair. */
export const checkMetricsAuth = requirePair('METRICS_USER', 'METRICS_PASSWORD');
