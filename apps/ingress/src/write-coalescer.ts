import type { Redis } from 'ioredis';

/**
 * Sends the Redis writes of one event-loop turn as one socket write.
 *
 * Under load, many callbacks reach the enqueue step in the same turn; each
 * `Queue.add` writes its command at once, one system call per callback, and
 * each write wakes Redis on its own. Calling the returned function before an
 * add corks the connection's socket until the turn ends (`setImmediate`):
 * the adds of that turn leave as one write and Redis reads them at once.
 *
 * Each add stays its own command with its own reply, so a failing add fails
 * only its own callback, and each callback is still acknowledged only after
 * Redis answered for its job. No command waits longer than the rest of the
 * current turn. `addBulk` would batch too, but wraps the adds in MULTI/EXEC,
 * which measured slower per job than single adds.
 *
 * Off by default (`ENQUEUE_COALESCE_WRITES`): it cuts the CPU per callback
 * of the ingress and of Redis by about a tenth, but one process answered
 * no more callbacks per second for it (Redis now idles while the ingress
 * parses the next requests, and the other way round; docs/PERFORMANCE.md).
 * It pays where CPU is the bound: many ingress processes on one Redis.
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
