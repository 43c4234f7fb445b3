/**
 * Calls `attempt` until it resolves, waiting longer after each failure (up
 * to `maxDelayMs`), and gives up only when `signal` aborts. For start-up
 * dependencies a service should wait for rather than crash-loop on.
 */
export async function retryUntilReady<T>(
  attempt: () => Promise<T>,
  options: { onError: (err: unknown, delayMs: number) => void; signal?: AbortSignal; maxDelayMs?: number },
): Promise<T> {
  const { onError, signal, maxDelayMs = 10_000 } = options;
  for (let failures = 0; ; failures++) {
    signal?.throwIfAborted();
    try {
      return await attempt();
    } catch (err) {
      const delayMs = Math.min(250 * 2 ** failures, maxDelayMs);
      onError(err, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
