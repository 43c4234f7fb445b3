import { createCallbackQueue, type QueueSettings, queueEnv, toQueueSettings } from '@openim-sync/queue';
import { ConfigError, parseEnv, redactUrl } from '@openim-sync/runtime';
import { z } from 'zod';
import { createPaint } from './color.js';
import { type Command, type CommandContext, EXIT, type Prepared } from './command.js';
import { countsCommand } from './commands/counts.js';
import { failedCommand } from './commands/failed.js';
import { findCommand } from './commands/find.js';
import { inboxCommand } from './commands/inbox.js';
import { pauseCommand, resumeCommand } from './commands/pause.js';
import { reconcileCommand } from './commands/reconcile.js';
import { removeCommand } from './commands/remove.js';
import { replayCommand } from './commands/replay.js';
import { retryCommand } from './commands/retry.js';
import { showCommand } from './commands/show.js';
import { closeConnection, createCliConnection, RedisUnreachableError, waitUntilConnected } from './connection.js';
import { type Output, writeLine } from './output.js';
import { BIN, GROUP, parseCommandLine, usageLine } from './program.js';

/** Every verb of the `jobs` group, in the order the help lists them. */
export const commands: readonly Command[] = [
  countsCommand,
  failedCommand,
  showCommand,
  findCommand,
  retryCommand,
  removeCommand,
  replayCommand,
  inboxCommand,
  pauseCommand,
  resumeCommand,
  reconcileCommand,
];

/** The environment every `jobs` verb reads; `jobs reconcile` reads ReconcileEnv instead. */
export const CliEnv = z.object(queueEnv);

/** What one run of the tool gets: `main.ts` passes the process's, tests their own. */
export interface CliOptions {
  /** The arguments after `openim-sync` (`process.argv.slice(2)`): `['jobs', 'failed', '--json']`. */
  argv: readonly string[];
  env: Record<string, string | undefined>;
  stdout: Output;
  stderr: Output;
  /** The current time in epoch ms (tests pin it); `--since 1h` counts back from it. */
  now?: number;
  /** Longest wait for Redis to answer before the tool gives up (default 4 s). */
  connectTimeoutMs?: number;
  /**
   * A signal aborted on Ctrl-C, for the verbs that end gracefully on it
   * (`counts --watch`); `main.ts` installs the SIGINT handler only when one
   * asks. Without it nothing interrupts them.
   */
  interrupt?: () => AbortSignal;
}

/**
 * Runs the `openim-sync` tool once and resolves with its exit code (0 done, 1
 * error, 2 bad usage). Arguments are checked before anything connects; every
 * connection it opens is closed before it resolves. Never throws.
 */
export async function runCli(options: CliOptions): Promise<number> {
  const { stdout, stderr } = options;
  const line = parseCommandLine(commands, options.argv);
  if (line.kind === 'help') {
    await writeLine(line.code === EXIT.ok ? stdout : stderr, line.text.trimEnd());
    return line.code;
  }
  if (line.kind === 'usage') {
    await writeLine(stderr, line.message);
    return EXIT.usage;
  }
  const { command, args } = line;
  const now = options.now ?? Date.now();
  const prepared = command.prepare(args, now);
  if (!prepared.ok) {
    await writeLine(stderr, usageLine([GROUP, command.name], prepared.message));
    return EXIT.usage;
  }
  if ('standalone' in prepared) return prepared.standalone({ env: options.env, out: stdout, err: stderr, now });
  return connectAndRun(options, command.name, prepared, now);
}

async function connectAndRun(
  options: CliOptions,
  verb: string,
  prepared: Extract<Prepared, { run: unknown }>,
  now: number,
) {
  const { stdout, stderr, connectTimeoutMs = 4000 } = options;
  let settings: QueueSettings;
  try {
    settings = toQueueSettings(parseEnv(CliEnv, options.env));
  } catch (err) {
    await writeLine(stderr, `${BIN} ${GROUP}: ${err instanceof ConfigError ? err.message : String(err)}`);
    return EXIT.error;
  }
  const redis = createCliConnection(settings.redisUrl, Math.min(2000, connectTimeoutMs));
  try {
    await waitUntilConnected(redis, connectTimeoutMs);
  } catch (err) {
    const reason = err instanceof RedisUnreachableError ? err.message : String(err);
    await writeLine(stderr, `${BIN} ${GROUP}: cannot reach Redis at ${redactUrl(settings.redisUrl)}: ${reason}`);
    return EXIT.error;
  }
  const queue = createCallbackQueue(settings, redis);
  // The queue re-emits connection errors; they reach the tool as rejected commands.
  queue.on('error', () => {});
  const ctx: CommandContext = {
    queue,
    redis,
    settings,
    out: stdout,
    err: stderr,
    now,
    paint: { out: createPaint(options.env, stdout), err: createPaint(options.env, stderr) },
    interrupt: options.interrupt ?? (() => new AbortController().signal),
  };
  try {
    return await prepared.run(ctx);
  } catch (err) {
    await writeLine(stderr, `${BIN} ${GROUP} ${verb}: ${(err as Error).message}`);
    return EXIT.error;
  } finally {
    await queue.close().catch(() => {});
    await closeConnection(redis);
  }
}
