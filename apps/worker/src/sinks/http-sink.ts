import type { Sink, SinkEvent } from './sink.js';
import { PermanentSinkError, RetryableSinkError } from './sink.js';

export interface HttpSinkOptions {
  url: string;
  timeoutMs: number;
  /** Sent as the Authorization header; never logged. */
  authorization?: string | undefined;
}

/** The JSON body the App's endpoint receives for each event. */
export interface ForwardedEvent {
  id: string;
  command: string;
  operationID: string;
  receivedAt: string;
  event: SinkEvent['event'];
  payload: SinkEvent['payload'];
}

const RETRYABLE_4XX = new Set([408, 429]);

/**
 * Forwards each event to the App's own endpoint. The Idempotency-Key is the
 * job id, the same on every retry, so the App can drop repeats. 2xx is
 * success; 408, 429, 5xx and network errors are retried with backoff (a
 * Retry-After is honoured); any other status can never succeed and fails the
 * job at once.
 */
export function createHttpSink({ url, timeoutMs, authorization }: HttpSinkOptions): Sink {
  const baseHeaders: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'openim-sync-worker',
  };
  if (authorization) baseHeaders.authorization = authorization;

  return {
    name: 'http',
    async apply(item) {
      const body: ForwardedEvent = {
        id: item.id,
        command: item.command,
        operationID: item.operationID,
        receivedAt: new Date(item.receivedAt).toISOString(),
        event: item.event,
        payload: item.payload,
      };
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { ...baseHeaders, 'idempotency-key': item.id },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describe(err);
        throw new RetryableSinkError(`forward target unreachable: ${reason}`, undefined, { cause: err });
      }
      // Drain the body so the connection returns to the pool.
      const text = await response.text().catch(() => '');
      if (response.ok) return 'forwarded';
      const summary = `forward target answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
      if (response.status >= 500 || RETRYABLE_4XX.has(response.status)) {
        throw new RetryableSinkError(summary, retryAfterMs(response.headers.get('retry-after')));
      }
      throw new PermanentSinkError(summary);
    },
    async close() {},
  };
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

/** Retry-After in seconds or as an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
