import pRetry from 'p-retry';

const FIRST_DELAY_MS = 250;

/**
 * Carries whatever an attempt threw through p-retry, which would give up at
 * once on a TypeError (it takes one for a bug) or on a value that is not an
 * Error: a start-up dependency is waited for whatever it throws.
 */
class AttemptFailed extends Error {
  override name = 'AttemptFailed';
}

/**
 * Calls `attempt` until it resolves, waiting longer after each failure (250
 * ms, doubling, up to `maxDelayMs`), and gives up only when `signal` aborts
 * (with its reason). For start-up dependencies a service should wait for
 * rather than crash-loop on.
 */
export async function retryUntilReady<T>(
  attempt: () => Promise<T>,
  options: { onError: (err: unknown, delayMs: number) => void; signal?: AbortSignal; maxDelayMs?: number },
): Promise<T> {
  const { onError, signal, maxDelayMs = 10_000 } = options;
  const run = async () => {
    try {
      return await attempt();
    } catch (err) {
      throw new AttemptFailed('attempt failed', { cause: err });
    }
  };
  return pRetry(run, {
    retries: Number.POSITIVE_INFINITY,
    factor: 2,
    minTimeout: FIRST_DELAY_MS,
    maxTimeout: maxDelayMs,
    randomize: false,
    ...(signal ? { signal } : {}),
    // p-retry 7 does not pass the delay it is about to wait; it is this, by its own formula.
    onFailedAttempt: ({ error, retriesConsumed }) =>
      onError(error.cause, Math.min(FIRST_DELAY_MS * 2 ** retriesConsumed, maxDelayMs)),
  });
}
