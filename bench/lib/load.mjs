// HTTP load with autocannon: OpenIM's real member-join request, each with its
// own operationID (as OpenIM sends them), so the ingress never takes the
// cheaper duplicate path.
import autocannon from 'autocannon';

let sequence = 0;

/**
 * Runs one load. `rate` (requests/s overall) turns saturation into a fixed
 * offered rate. Returns throughput and latency in ms.
 */
export async function load({ url, body, durationSec, connections = 50, rate, vary = false }) {
  const tag = `bench-${process.pid}-${++sequence}`;
  let n = 0;
  // With `vary`, each request is another user joining one of 100 groups, as real
  // traffic is; without, every request is the same member (one lock in Postgres).
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
          if (template) {
            req.body = template
              .replace(/"groupID":"[^"]*"/, `"groupID":"bench-g${n % 100}"`)
              .replace(/"inviterUserID":"[^"]*"/, `"inviterUserID":"${tag}-u${n}"`);
          }
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
