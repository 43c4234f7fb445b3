import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';

export interface GracefulExitOptions {
  logger: Logger;
  /** SHUTDOWN_TIMEOUT_MS: past it the process exits 1 whatever is still closing. */
  timeoutMs: number;
  /** Closes the process's resources in its own order; should not throw. */
  close: () => Promise<void>;
}

export interface GracefulExit {
  /** Something the process cannot run without broke: close as on SIGTERM, then exit 1. */
  fail(reason: string): void;
}

/**
 * One shutdown per process, through close-with-grace: SIGTERM or SIGINT, an
 * uncaught exception or unhandled rejection, or `fail()` runs `close` once,
 * then exits (0 after a signal, 1 after an error or a failure). A second
 * signal or error while closing, or the deadline, exits 1 at once, so a
 * stuck resource cannot keep a container from stopping.
 */
export function gracefulExit({ logger, timeoutMs, close }: GracefulExitOptions): GracefulExit {
  let failure: string | undefined;
  let closing = false;
  const handle = closeWithGrace(
    {
      delay: timeoutMs,
      // Other signals keep Node's default; SIGTERM (the orchestrator) and SIGINT (a terminal) stop gracefully.
      skip: ['SIGHUP', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGSEGV', 'SIGUSR2'],
      logger: { error: (err: unknown) => logger.error({ err }, 'error while shutting down') },
      onSecondSignal: (signal) => logger.warn({ signal }, 'second signal while shutting down: exiting now'),
      onSecondError: (err) => logger.fatal({ err }, 'error while shutting down: exiting now'),
      onTimeout: () => logger.error({ timeoutMs }, 'shutdown deadline passed; exiting anyway'),
    },
    async ({ signal, err }) => {
      closing = true;
      if (err) logger.fatal({ err }, 'uncaught error');
      const reason = signal ?? (err ? 'uncaught error' : (failure ?? 'nothing left to do'));
      logger.info({ reason, timeoutMs }, 'shutting down');
      await close();
      logger.info('shutdown complete');
      // close-with-grace exits 0 after a manual close: a failure must not look like a clean stop.
      if (failure !== undefined) process.exit(1);
    },
  );
  return {
    fail(reason) {
      if (closing) return;
      failure = reason;
      handle.close();
    },
  };
}
