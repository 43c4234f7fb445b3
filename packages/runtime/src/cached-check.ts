/**
 * Wraps a health check (a Redis PING behind `/readyz`) so that however many
 * callers ask, it runs at most once per `maxAgeMs`: callers that arrive while
 * it runs share that run, and callers within `maxAgeMs` of its end get its
 * answer. `/readyz` is open to anyone who reaches the port (probes come from
 * everywhere), so without this each request would cost Redis a command.
 * A check that throws is not remembered: the next caller runs it again.
 */
export function cachedCheck<T>(check: () => Promise<T>, maxAgeMs: number): () => Promise<T> {
  let running: Promise<T> | undefined;
  let last: { value: T; at: number } | undefined;
  return () => {
    if (last && performance.now() - last.at < maxAgeMs) return Promise.resolve(last.value);
    running ??= check().then(
      (value) => {
        last = { value, at: performance.now() };
        running = undefined;
        return value;
      },
      (err: unknown) => {
        running = undefined;
        throw err;
      },
    );
    return running;
  };
}
