import { type QueueSettings, queueEnv, toQueueSettings } from '@openim-sync/queue';
import { env, parseEnv } from '@openim-sync/runtime';
import { commandDefinitions, findCommand } from '@openim-sync/schema';
import { z } from 'zod';
import { type AdminConfig, adminEnv, checkAdminEnv, toAdminConfig } from './admin/admin-config.js';
import type { BeforeCallbackSettings } from './before-callbacks/responder.js';
import { type SecuritySettings, securityEnv, toSecuritySettings } from './security/security-env.js';
import { checkServerLimits, type ServerLimits, serverLimitsEnv, toServerLimits } from './server-limits.js';

export const IngressEnv = z.object({
  ...queueEnv,
  ...adminEnv,
  ...securityEnv,
  ...serverLimitsEnv,
  /** Port of the callback listener. */
  PORT: env.port(8080),
  /** Address to bind; 0.0.0.0 in a container, 127.0.0.1 to keep it local. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Path OpenIM's webhook url points at; commands follow it as a segment or `?command=`. */
  CALLBACK_BASE_PATH: z
    .string()
    .regex(/^\/[^?#]*$/, 'must start with "/" and hold no query')
    .transform((path) => path.replace(/\/+$/, '') || '/')
    .default('/callback'),
  /** Largest accepted body; larger ones get 413 without being read. */
  MAX_BODY_BYTES: env.positiveInt(1024 * 1024),
  /** Longest wait for Redis to take a callback (its XADD) before answering 503; well under OpenIM's 5 s. */
  ENQUEUE_TIMEOUT_MS: env.positiveInt(1500),
  /** The Redis writes of one event-loop turn leave as one socket write (see write-coalescer.ts). */
  ENQUEUE_COALESCE_WRITES: env.bool(true),
  /**
   * Fraction of Redis's maxmemory from which callbacks get 503, so the rest stays for the workers
   * to move and finish the backlog (see redis-memory.ts); 0 or `off` turns the check off. No check
   * either while Redis has no maxmemory. At most 0.9: the workers stop moving the inbox at 0.95.
   */
  REDIS_MEMORY_HIGH_WATER: z
    .union([
      z.literal('off').transform(() => 0),
      z.coerce
        .number()
        .min(0)
        .max(0.9, 'at most 0.9: the workers stop moving the inbox into the queue at 0.95 of maxmemory'),
    ])
    .default(0.8),
  /** Commands the ingress accepts (canonical names or aliases); all known ones when unset. */
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
    .default(commandDefinitions.map((d) => d.command)),
  /**
   * The App's endpoint for OpenIM's before-callbacks (moderation, approvals): each is posted to
   * `{url}/{command}` and the App's verdict relayed. Unset: the ingress answers "continue" itself.
   */
  BEFORE_CALLBACK_URL: env.url(['http', 'https']).optional(),
  /**
   * Longest wait for the App's verdict, in ms. OpenIM fails the user's operation when its own
   * per-callback `timeout` (5 s by default) passes first, and its HTTP client stops at 15 s whatever
   * the setting, hence the ceiling; above 4000 a warning is logged at start.
   */
  BEFORE_CALLBACK_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .max(14_000, 'must stay under OpenIM’s fixed 15 s HTTP client timeout (and under its webhooks.yml timeout)')
    .default(2000),
  /** What OpenIM is told when the App times out, is unreachable or answers unusably: continue or reject. */
  BEFORE_CALLBACK_ON_ERROR: z.enum(['continue', 'reject']).default('continue'),
  /** Sent as the Authorization header with every before-callback forwarded to the App; never logged. */
  BEFORE_CALLBACK_AUTHORIZATION: z.string().optional(),
  /** How long shutdown may take (drain in-flight requests, close the queue) before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: env.positiveInt(10_000),
  LOG_LEVEL: env.logLevel(),
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
