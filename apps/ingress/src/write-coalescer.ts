import type { Redis } from 'ioredis';

/**
 * Sends the Redis writes of one event-loop turn as one socket write.
 *
 * Under load, many callbacks reach the enqueue step in the same turn; each
 * would write its command (an XADD to the inbox, or BullMQ's add) at once,
 * one system call per callback, and each write wakes Redis on its own. On a
 * loopback connection that call also runs the kernel's receive path, and a
 * CPU profile of the ingress in inbox mode put a quarter of its busy time
 * there. Calling the returned function before a write corks the connection's
 * socket until the turn ends (`setImmediate`): the commands of that turn
 * leave as one write and Redis reads them at once.
 *
 * Each command stays its own, with its own reply, so a failing one fails
 * only its own callback, and each callback is still acknowledged only after
 * Redis answered for it. No command waits longer than the rest of the
 * current turn. `addBulk` would batch too, but wraps the adds in MULTI/EXEC,
 * which measured slower per job than single adds.
 *
 * On by default (`ENQUEUE_COALESCE_WRITES`); measurements in
 * docs/PERFORMANCE.md.
 */
export function createWriteCoalescer(connection: Redis): () => void {
  let held: Redis['stream'] | undefined;
  const release = () => {
    const stream = held;
    held = undefined;
    stream?.uncork();
  };
  return function coalesceWrites() {
    if (held) return;
    const stream = connection.stream;
    if (!stream || stream.destroyed) return;
    stream.cork();
    held = stream;
    setImmediate(release);
  };
}
