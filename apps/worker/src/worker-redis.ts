import {
  type CallbackQueue,
  createCallbackQueue,
  createWorkerConnection,
  type QueueSettings,
} from '@openim-sync/queue';
import type { Logger } from '@openim-sync/runtime';
import type { Redis } from 'ioredis';

/**
 * The worker process's Redis connections; nothing else in the process opens one.
 *
 * - `commands` (named `<prefix>:worker`): every command that does not block.
 *   The one callback queue handle on it serves the inbox mover's adds, the
 *   queue gauges and the upgrade step of the reconcile; the reconcile
 *   queue's handle, both BullMQ Workers' own commands (locks, moving jobs),
 *   the mover's memory check and the durability warning use it too.
 * - `inboxReader` (`<prefix>:worker:inbox`): the mover's XREADGROUP BLOCK
 *   holds its connection until entries come or a second passes; on
 *   `commands` it would hold up everything else. The mover disconnects it.
 * - One per BullMQ Worker, opened and closed by BullMQ (named
 *   `<prefix>:<queue name in base64>`): it waits for jobs (BZPOPMIN) on a
 *   duplicate of `commands`. The callback queue's Worker, and the reconcile
 *   queue's when OPENIM_API_URL is set.
 *
 * So three connections, four with the reconcile (test/runtime.test.ts counts them).
 */
export interface WorkerRedis {
  commands: Redis;
  callbackQueue: CallbackQueue;
  inboxReader: Redis;
  /** Closes the queue handle and the connections, once every user of them stopped; idempotent. */
  close(): Promise<void>;
}

export function connectWorkerRedis(settings: QueueSettings, logger: Logger): WorkerRedis {
  const commands = createWorkerConnection(settings.redisUrl, `${settings.prefix}:worker`);
  const callbackQueue = createCallbackQueue(settings, commands);
  // BullMQ's Worker reports Redis outages ('worker error'); the queue handle says them once more at debug.
  callbackQueue.on('error', (err) => logger.debug({ err }, 'callback queue error'));
  const inboxReader = createWorkerConnection(settings.redisUrl, `${settings.prefix}:worker:inbox`);
  let closing: Promise<void> | undefined;
  return {
    commands,
    callbackQueue,
    inboxReader,
    close() {
      closing ??= (async () => {
        inboxReader.disconnect(); // already, unless the process stopped before its mover started
        await callbackQueue.close().catch(() => {});
        await commands.quit().catch(() => commands.disconnect());
      })();
      return closing;
    },
  };
}
