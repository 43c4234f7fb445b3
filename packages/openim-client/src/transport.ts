import { randomBytes } from 'node:crypto';
import { OpenImApiError, OpenImUnreachableError } from './errors.js';
import { parseJsonLossless } from './json.js';

/** OpenIM's answer once the HTTP layer worked: the envelope's code and data. */
export interface Envelope {
  errCode: number;
  errMsg: string;
  errDlt: string;
  data: unknown;
}

export interface TransportOptions {
  /** OpenIM's API, e.g. `http://openim-server:10002` (a path prefix is kept). */
  baseUrl: string;
  /** Per attempt. */
  timeoutMs: number;
  fetch: typeof fetch;
  /** Times a 429 is waited out and retried before the call fails. */
  maxRateLimitRetries: number;
  /** Longest single wait a `Retry-After` may ask for. */
  maxRetryAfterMs: number;
  sleep: (ms: number) => Promise<void>;
}

/** The outcome of one POST: an envelope, or an HTTP status without one (e.g. gin's 404 for an unknown route). */
export type PostResult = { operationID: string } & ({ ok: true; envelope: Envelope } | { ok: false; status: number });

/** A fresh, non-empty operationID (OpenIM answers errCode 1001 without one); OpenIM logs it. */
export function newOperationID(): string {
  return `openim-sync-${Date.now()}-${randomBytes(4).toString('hex')}`;
}

/** `Retry-After` in ms: delta-seconds or an HTTP date; 1 s when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (header !== null && /^\s*\d+\s*$/.test(header)) return Number(header) * 1000;
  const date = header === null ? Number.NaN : Date.parse(header);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - now);
}

/**
 * POSTs JSON to OpenIM and reads its envelope. Waits out HTTP 429 (honouring
 * `Retry-After`, bounded). Network failures, timeouts, gateway errors
 * (502–504) and redirects (never followed) throw
 * {@link OpenImUnreachableError}; other statuses without an
 * envelope come back as `{ ok: false, status }` for the caller to judge.
 */
export function createTransport(options: TransportOptions) {
  const base = options.baseUrl.replace(/\/+$/, '');
  const shown = withoutPassword(base);

  async function attempt(path: string, body: unknown, headers: Record<string, string>, operationID: string) {
    try {
      return await options.fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', operationID, ...headers },
        body: JSON.stringify(body),
        // A followed 307/308 would resend the body (the secret) and the token header to wherever
        // the Location points, another host included: a redirect is answered as an error instead.
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      const code = timedOut ? 'timeout' : networkCode(err);
      const reason = timedOut ? `no answer within ${options.timeoutMs} ms` : `${(err as Error).message} (${code})`;
      const message = `cannot reach OpenIM at ${shown}: ${reason}`;
      throw new OpenImUnreachableError(message, { code, path, operationID }, { cause: err });
    }
  }

  return async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<PostResult> {
    const operationID = newOperationID();
    for (let retries = 0; ; retries++) {
      const response = await attempt(path, body, headers, operationID);
      if (response.status === 429 && retries < options.maxRateLimitRetries) {
        const wait = Math.min(retryAfterMs(response.headers.get('retry-after')), options.maxRetryAfterMs);
        await response.body?.cancel();
        await options.sleep(wait);
        continue;
      }
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel();
        throw redirectError(response, `${base}${path}`, { path, operationID, base: shown });
      }
      return readResponse(response, path, operationID, shown);
    }
  };
}

function redirectError(response: Response, requested: string, at: { path: string; operationID: string; base: string }) {
  const code = `HTTP ${response.status}`;
  const location = response.headers.get('location');
  const target = location === null ? 'no Location' : `Location ${safeLocation(location, requested)}`;
  return new OpenImUnreachableError(
    `OpenIM at ${at.base} answered ${at.path} with a redirect (${code}, ${target}); the client never follows ` +
      'one, as it would carry the admin secret or token along: point the API URL at the final address',
    { code, path: at.path, operationID: at.operationID },
  );
}

/** A Location for messages: resolved, without credentials, query or fragment (either may hold a secret). */
function safeLocation(location: string, requested: string): string {
  try {
    const url = new URL(location, requested);
    return `${url.protocol}//${url.host}${url.pathname}${url.search || url.hash ? ' (query left out)' : ''}`;
  } catch {
    return '(unreadable)';
  }
}

async function readResponse(response: Response, path: string, operationID: string, base: string): Promise<PostResult> {
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    throw new OpenImUnreachableError(
      `OpenIM at ${base} broke off its answer: ${(err as Error).message}`,
      { code: 'aborted', path, operationID },
      { cause: err },
    );
  }
  if (response.status >= 502 && response.status <= 504) {
    const code = `HTTP ${response.status}`;
    throw new OpenImUnreachableError(`OpenIM at ${base} is unavailable (${code})`, { code, path, operationID });
  }
  const envelope = response.status === 200 ? toEnvelope(text) : undefined;
  if (envelope) return { ok: true, envelope, operationID };
  if (response.status === 200) {
    throw new OpenImApiError({ code: -1, path, operationID, errMsg: 'answer is not an OpenIM envelope' });
  }
  return { ok: false, status: response.status, operationID };
}

function toEnvelope(text: string): Envelope | undefined {
  let parsed: unknown;
  try {
    parsed = parseJsonLossless(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const value = parsed as Record<string, unknown>;
  if (typeof value.errCode !== 'number') return undefined;
  return {
    errCode: value.errCode,
    errMsg: typeof value.errMsg === 'string' ? value.errMsg : '',
    errDlt: typeof value.errDlt === 'string' ? value.errDlt : '',
    data: value.data ?? null,
  };
}

/** `ECONNREFUSED`, `ENOTFOUND`…: undici hides the system error in `cause`. */
function networkCode(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return 'network error';
}

/** The URL for messages: a password in it (a proxy's basic auth) is masked. */
function withoutPassword(value: string): string {
  try {
    const url = new URL(value);
    if (!url.password) return value;
    url.password = '***';
    return url.toString().replace(/\/$/, '');
  } catch {
    return value;
  }
}
