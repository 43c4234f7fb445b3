import type { Logger } from 'pino';

type Closer = () => Promise<unknown> | unknown;

export interface Shutdown {
  /** Registers a resource; resources close in reverse order of registration. */
  add(name: string, close: Closer): void;
  /** Runs the shutdown once; later calls return the same promise. */
  run(reason: string): Promise<void>;
  /** Installs SIGTERM/SIGINT handlers that run the shutdown then exit. */
  installSignalHandlers(): void;
}

/**
 * One shutdown routine per process: closes every registered resource in
 * reverse start order, and gives up after `timeoutMs` so a stuck resource
 * cannot keep a container from stopping.
 */
export function createShutdown({ logger, timeoutMs }: { logger: Logger; timeoutMs: number }): Shutdown {
  const closers: Array<{ name: string; close: Closer }> = [];
  let running: Promise<void> | undefined;

  async function closeAll() {
    for (const { name, close } of [...closers].reverse()) {
      try {
        await close();
        logger.debug({ resource: name }, 'closed');
      } catch (err) {
        logger.error({ err, resource: name }, 'error while closing');
      }
    }
  }

  function run(reason: string) {
    running ??= (async () => {
      logger.info({ reason, timeoutMs }, 'shutting down');
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
        timer.unref();
      });
      const outcome = await Promise.race([closeAll().then(() => 'done' as const), deadline]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        logger.error({ timeoutMs }, 'shutdown deadline passed; exiting anyway');
        process.exitCode = 1;
      } else {
        logger.info('shutdown complete');
      }
    })();
    return running;
  }

  return {
    add: (name, close) => {
      closers.push({ name, close });
    },
    run,
    installSignalHandlers: () => {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => {
          void run(signal).finally(() => process.exit());
        });
      }
    },
  };
}
