import { type QueueSettings, queueEnv, toQueueSettings } from '@openim-sync/queue';
import { env, parseEnv } from '@openim-sync/runtime';
import { commandDefinitions, findCommand } from '@openim-sync/schema';
import { z } from 'zod';
import { type AdminConfig, adminEnv, checkAdminEnv, toAdminConfig } from './admin/admin-config.js';
import { beforeCallbackEnv } from './before-callbacks/before-callback-env.js';
import type { BeforeCallbackSettings } from './before-callbacks/responder.js';
import { type SecuritySettings, securityEnv, toSecuritySettings } from './security/security-env.js';
import { checkServerLimits, type ServerLimits, serverLimitsEnv, toServerLimits } from './server-limits.js';

export const IngressEnv = z.object({
  ...queueEnv,
  ...adminEnv,
  ...securityEnv,
  ...serverLimitsEnv,
  ...beforeCallbackEnv,
  PORT: env.port(8080).meta({ description: 'Port of the callback listener.' }),
  HOST: z
    .string()
    .min(1)
    .default('0.0.0.0')
    .meta({ description: 'Address to bind: `0.0.0.0` in a container, `127.0.0.1` to stay local.' }),
  CALLBACK_BASE_PATH: z
    .string()
    .regex(/^\/[^?#]*$/, 'must start with "/" and hold no query')
    .transform((path) => path.replace(/\/+$/, '') || '/')
    .default('/callback')
    .meta({
      description: "Path OpenIM's webhook url points at; the command follows as a path segment or `?command=`.",
    }),
  MAX_BODY_BYTES: env.positiveInt(1024 * 1024).meta({
    description:
      "Largest accepted request body in bytes; larger ones get 413 without being read. OpenIM's create " +
      'callback for 20,000 members is about 0.78 MB with 10-digit user IDs, 1.3 MB with 36-character ones.',
  }),
  ENQUEUE_TIMEOUT_MS: env.positiveInt(1500).meta({
    description:
      "Longest wait in ms for Redis to take a callback (one XADD to the inbox stream) before answering 503; well under OpenIM's 5 s timeout.",
  }),
  ENQUEUE_COALESCE_WRITES: env.bool(true).meta({
    description:
      '`true`: the Redis writes of one event-loop turn leave as one socket write, which saves CPU (docs/PERFORMANCE.md).',
  }),
  // The workers stop moving the inbox into the queue at 0.95 of maxmemory, hence the ceiling (see redis-memory.ts).
  REDIS_MEMORY_HIGH_WATER: z
    .union([
      z.literal('off').transform(() => 0),
      z.coerce
        .number()
        .min(0)
        .max(0.9, 'at most 0.9: the workers stop moving the inbox into the queue at 0.95 of maxmemory'),
    ])
    .default(0.8)
    .meta({
      description:
        "Fraction of Redis's maxmemory from which callbacks get 503 (OpenIM drops them, as when Redis is down), " +
        'leaving the rest for the workers to drain the backlog; at most 0.9; `0` or `off`: no check (none either ' +
        'while Redis has no maxmemory).',
    }),
  ENABLED_COMMANDS: env
    .list()
    .pipe(
      z
        .array(z.string())
        .min(1, 'name at least one command, or leave it unset for all')
        .refine((names) => names.every((name) => findCommand(name)), {
          error: (issue) => {
            const names = issue.input as string[];
            return `unknown command(s): ${names.filter((n) => !findCommand(n)).join(', ')}`;
          },
        }),
    )
    .default(commandDefinitions.map((d) => d.command))
    .meta({
      description: 'Comma-separated commands to accept (names or aliases); others get 404.',
      defaultText: 'every known command',
    }),
  SHUTDOWN_TIMEOUT_MS: env.positiveInt(10_000).meta({
    description:
      'Longest graceful shutdown in ms (stop accepting, drain in-flight requests, close the queue) before the process exits anyway.',
  }),
  LOG_LEVEL: env.logLevel().meta({ description: 'Log level: fatal, error, warn, info, debug, trace or silent.' }),
});

export type IngressEnv = z.output<typeof IngressEnv>;

export interface IngressConfig {
  port: number;
  host: string;
  basePath: string;
  maxBodyBytes: number;
  enqueueTimeoutMs: number;
  enqueueCoalesceWrites: boolean;
  /** 0: off. */
  redisMemoryHighWater: number;
  enabledCommands: string[];
  shutdownTimeoutMs: number;
  logLevel: string;
  queue: QueueSettings;
  /** CALLBACK_TOKEN, ALLOWED_IPS, TRUST_PROXY. */
  security: SecuritySettings;
  /** HTTP_*: timeouts and the connection cap of the callback listener. */
  serverLimits: ServerLimits;
  /** The admin listener (dashboard, /metrics); undefined when no credentials are set, and then it does not start. */
  admin: AdminConfig | undefined;
  /** BEFORE_CALLBACK_*: where OpenIM's before-callbacks are forwarded, if anywhere. */
  beforeCallbackForwarding: BeforeCallbackSettings;
}

/** Reads and validates the ingress's environment; throws one ConfigError listing every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): IngressConfig {
  const e = parseEnv(IngressEnv.superRefine(checkAdminEnv).superRefine(checkServerLimits), source);
  return {
    port: e.PORT,
    host: e.HOST,
    basePath: e.CALLBACK_BASE_PATH,
    maxBodyBytes: e.MAX_BODY_BYTES,
    enqueueTimeoutMs: e.ENQUEUE_TIMEOUT_MS,
    enqueueCoalesceWrites: e.ENQUEUE_COALESCE_WRITES,
    redisMemoryHighWater: e.REDIS_MEMORY_HIGH_WATER,
    enabledCommands: e.ENABLED_COMMANDS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    queue: toQueueSettings(e),
    security: toSecuritySettings(e),
    serverLimits: toServerLimits(e),
    admin: toAdminConfig(e),
    beforeCallbackForwarding: {
      url: e.BEFORE_CALLBACK_URL,
      timeoutMs: e.BEFORE_CALLBACK_TIMEOUT_MS,
      onError: e.BEFORE_CALLBACK_ON_ERROR,
      authorization: e.BEFORE_CALLBACK_AUTHORIZATION,
    },
  };
}
