import { z } from 'zod';
import { parseDuration } from './duration.js';

/** Variables whose values may hold credentials (URLs with passwords, tokens). */
const SECRET_NAME = /URL|PASSWORD|SECRET|TOKEN|AUTHORIZATION|KEY/i;

/** Raised when the environment does not satisfy an app's config schema. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Parses `source` (normally `process.env`) with `schema`. Empty strings count
 * as unset, so `FOO=` in an env file falls back to the default. Every bad
 * variable is reported at once in one {@link ConfigError}.
 */
export function parseEnv<T extends z.ZodType>(schema: T, source: Record<string, string | undefined>): z.output<T> {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      const value = cleaned[name];
      // Values of secret-bearing variables stay out of the message, which goes to stderr.
      if (value === undefined || SECRET_NAME.test(name)) return `${name}: ${issue.message}`;
      return `${name}=${JSON.stringify(value)}: ${issue.message}`;
    }),
  );
}

/** Shared variable parsers, so every app reads the same kind of value the same way. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  nonNegativeInt: (fallback: number) => z.coerce.number().int().min(0).default(fallback),
  bool: (fallback: boolean) => z.stringbool().default(fallback),
  url: (protocols: readonly string[]) =>
    z.url({ protocol: new RegExp(`^(${protocols.join('|')})$`), error: `must be a ${protocols.join(' or ')} URL` }),
  list: () =>
    z.string().transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  /** A duration (`30s`, `15m`, `6h`, `1d`; a bare number is milliseconds; see parseDuration) as milliseconds. */
  duration: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((text, ctx) => {
        const value = parseDuration(text);
        if (value !== undefined) return value;
        ctx.addIssue({
          code: 'custom',
          message: 'expected a duration such as 30s, 15m, 6h, 1d (a bare number: milliseconds)',
        });
        return z.NEVER;
      }),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** A basic-auth user name, optional: no ":", which basic auth cannot carry. */
  basicAuthUser: () =>
    z
      .string()
      .regex(/^[^:]+$/, 'must not contain ":"')
      .optional(),
  /** A basic-auth password, optional: at least 8 characters. */
  basicAuthPassword: () => z.string().min(8, 'use at least 8 characters').optional(),
};

/**
 * Runs an app's `loadConfig`; on a {@link ConfigError} prints the list of bad
 * variables to stderr and exits 1 (no logger exists yet at that point).
 */
export function loadConfigOrExit<T>(app: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${app}: ${err.message}\n`);
    process.exit(1);
  }
}
