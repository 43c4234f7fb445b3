import type { Context, MiddlewareHandler } from 'hono';

export interface WriteGuardOptions {
  /** Refuse every write, whoever asks (ADMIN_READ_ONLY). */
  readOnly: boolean;
}

const READS = new Set(['GET', 'HEAD']);
// application/json, or a structured `+json` type: neither is a type a cross-site form can send,
// and a cross-site fetch with it needs a CORS preflight, which this listener never grants.
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;
const SAME_SITE_FETCHES = new Set(['same-origin', 'none']);

/**
 * Guards the dashboard's writes (retry, clean, pause, add…: every one is a
 * PUT, POST or PATCH) against cross-site requests. A browser sends the
 * basic-auth credentials it cached for the dashboard with any request to it,
 * a page on another site included, so credentials alone do not show that the
 * operator meant the write. A write must:
 *
 * - come from the dashboard's own origin: `Origin`, which browsers send with
 *   every non-GET request, names the host the request went to, and
 *   `Sec-Fetch-Site`, when sent, says `same-origin` (or `none`: typed by the
 *   user). A request with neither header comes from no browser (curl, a
 *   script), which no other site can drive;
 * - carry a JSON content type when it has a body: the last line should a
 *   browser omit both headers, since no form can send JSON.
 *
 * Reads pass. In read-only mode every write is refused.
 */
export function writeGuard({ readOnly }: WriteGuardOptions): MiddlewareHandler {
  return async (c, next) => {
    if (READS.has(c.req.method)) return next();
    if (readOnly) return refuse(c, 'the dashboard is read-only (ADMIN_READ_ONLY=true)');
    const problem = crossSiteProblem(c) ?? bodyProblem(c);
    return problem ? refuse(c, problem) : next();
  };
}

function crossSiteProblem(c: Context): string | undefined {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && !SAME_SITE_FETCHES.has(site.toLowerCase())) {
    return `writes come from the dashboard's own pages only (Sec-Fetch-Site: ${site})`;
  }
  const origin = c.req.header('origin');
  if (origin === undefined) return undefined;
  if (!sameHost(origin, c.req.header('host'))) {
    return "writes come from the dashboard's own pages only (Origin does not match Host)";
  }
  return undefined;
}

/** Whether `origin` names `host`, with the port the origin's scheme implies when either leaves it out. */
function sameHost(origin: string, host: string | undefined): boolean {
  if (host === undefined || origin === 'null') return false;
  try {
    const from = new URL(origin);
    // Behind a TLS-terminating proxy the request arrives over http, so only host and port count.
    return from.host === new URL(`${from.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

function bodyProblem(c: Context): string | undefined {
  const length = c.req.header('content-length');
  const hasBody = c.req.header('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
  if (!hasBody) return undefined;
  const type = c.req.header('content-type') ?? '';
  return JSON_TYPE.test(type) ? undefined : 'a write with a body must send it as JSON (Content-Type: application/json)';
}

function refuse(c: Context, error: string) {
  return c.json({ error }, 403);
}
