import type { Logger } from 'pino';

/** A service process as its main.ts sees it: started once, closed once on a signal or a failure. */
export interface ProcessRuntime {
  /** Starts the process's parts in their order; resolves once running, or early when close() cuts it short. */
  start(): Promise<void>;
  /** Stops the parts in the order the service writes down; idempotent, safe during start(). */
  close(): Promise<void>;
}

export interface ProcessRuntimeDeps<Config> {
  config: Config;
  logger: Logger;
  /** Called when a part the process cannot run without stops or cannot start (a listener, a worker loop). */
  onFatal: (reason: string) => void;
}

/**
 * A ProcessRuntime whose start runs `run` once and whose close runs `stop`
 * once. `stop` gets a promise of the start settling (at once if it never
 * began), to await after it told the start to stop short.
 */
export function processRuntime(
  run: () => Promise<void>,
  stop: (startSettled: Promise<void>) => Promise<void>,
): ProcessRuntime {
  let started: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  return {
    start() {
      started ??= run();
      return started;
    },
    close() {
      closing ??= stop(started?.catch(() => {}) ?? Promise.resolve());
      return closing;
    },
  };
}

/**
 * Runs one step of a close: a step that fails is logged and the caller goes
 * on with the next one, so one stuck resource does not keep the rest open.
 */
export async function closeStep(logger: Logger, resource: string, close: () => unknown): Promise<void> {
  try {
    await close();
    logger.debug({ resource }, 'closed');
  } catch (err) {
    logger.error({ err, resource }, 'error while closing');
  }
}
