import type { CallbackQueue, QueueSettings } from '@openim-sync/queue';
import type { Redis } from 'ioredis';
import type { Paint } from './color.js';
import type { Output } from './output.js';

/** Exit codes: success, an error (unknown job, Redis unreachable, an action that failed), bad usage. */
export const EXIT = { ok: 0, error: 1, usage: 2 } as const;

/** A verb's flag in commander's notation: `--limit <N>` takes a value, `--json` does not. */
export interface OptionSpec {
  flags: string;
  /** Its line in `--help` (wrapped there). */
  help: string;
  /** The help section that lists it, when not "Options:". */
  group?: string;
}

/** A verb's arguments once commander has parsed them: each flag under its long name (`dry-run`), then the operands. */
export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** What a verb runs with, once its arguments are valid and Redis answers. */
export interface CommandContext {
  queue: CallbackQueue;
  /** The queue's connection, for what BullMQ does not cover (the inbox streams). */
  redis: Redis;
  settings: QueueSettings;
  out: Output;
  err: Output;
  /** The time the tool started (epoch ms): `--since` durations count back from it. */
  now: number;
  /** Colours for what goes to `out` and to `err` (plain when off, see colorEnabled). */
  paint: { out: Paint; err: Paint };
  /**
   * A signal aborted on Ctrl-C. Only a verb that asks for it (`counts
   * --watch`) ends gracefully on Ctrl-C; any other is stopped as usual.
   */
  interrupt(): AbortSignal;
}

/** What a verb that needs no queue runs with (`reconcile` works on Postgres and OpenIM only). */
export interface StandaloneContext {
  env: Record<string, string | undefined>;
  out: Output;
  err: Output;
  now: number;
}

/**
 * A verb ready to run (`run` once Redis answers, `standalone` without
 * connecting to Redis at all), or why its arguments are wrong (a usage
 * error, exit 2).
 */
export type Prepared =
  | { ok: true; run: (ctx: CommandContext) => Promise<number> }
  | { ok: true; standalone: (ctx: StandaloneContext) => Promise<number> }
  | { ok: false; message: string };

/**
 * One verb of the tool, as data: `program.ts` turns it into a commander
 * command, which parses the arguments and writes the `--help`.
 */
export interface Command {
  name: string;
  /** One line for the tool's help. */
  summary: string;
  /** The usage forms, each after "openim-sync jobs <name> " (commander's "[options]" when absent). */
  usage?: readonly string[];
  /** What the verb does, under the usage in its `--help`. */
  description: string;
  options: readonly OptionSpec[];
  /** Help after the options: exit codes, examples. */
  epilog?: string;
  /** Whether the verb takes operands (job ids); without, any operand is a usage error. */
  positionals: boolean;
  /** Validates the arguments before anything connects to Redis. */
  prepare(args: ParsedArgs, now: number): Prepared;
}

/** A flag's value as a string (`undefined` when absent or boolean). */
export function stringValue(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Whether a boolean flag was given. */
export function flagValue(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** A usage error result. */
export function usage(message: string): Prepared {
  return { ok: false, message };
}
