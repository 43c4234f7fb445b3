// HTTP load with autocannon: OpenIM's real member-join request, each with its
// own operationID (as OpenIM sends them), so the ingress never takes the
// cheaper duplicate path.
import autocannon from 'autocannon';
import { variedBody } from './body.mjs';
import { forkScript } from './proc.mjs';

let sequence = 0;

/**
 * Runs one load. `rate` (requests/s overall) turns saturation into a fixed
 * offered rate. Returns throughput and latency in ms.
 */
export async function load({ url, body, durationSec, connections = 50, rate, vary = false }) {
  const tag = `bench-${process.pid}-${++sequence}`;
  let n = 0;
  // With `vary`, each request is another member (see body.mjs).
  const template = vary ? body.toString('utf8') : undefined;
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: durationSec,
    ...(rate ? { overallRate: rate } : {}),
    headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Go-http-client/1.1' },
    body,
    requests: [
      {
        setupRequest: (req) => {
          req.headers = { ...req.headers, operationid: `${tag}-${++n}` };
          if (template) req.body = variedBody(template, n, tag);
          return req;
        },
      },
    ],
  });
  const ok = result['2xx'];
  return {
    throughput: ok / (result.duration || durationSec),
    p50: result.latency.p50,
    p99: result.latency.p99,
    p999: result.latency.p99_9,
    max: result.latency.max,
    ok,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/**
 * A load in a process of its own (load-child.mjs), the body read from
 * `bodyFile`: autocannon's, or with `paced: true` the paced sender's, which
 * ends early once `stopWhen` (a promise) resolves.
 */
export async function loadInChild(options, { stopWhen } = {}) {
  const child = forkScript('./load-child.mjs', [], { LOAD: JSON.stringify(options) });
  stopWhen?.then(() => child.child.connected && child.child.send('stop'));
  try {
    return await child.firstMessage;
  } finally {
    await child.stop();
  }
}
