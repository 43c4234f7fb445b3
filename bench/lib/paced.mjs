// Open-loop load at a fixed rate, evenly spaced, the way OpenIM's callbacks
// arrive: each request is sent at its own planned time whether or not the
// earlier ones were answered, over a pool of kept-alive connections.
//
// autocannon's fixed-rate mode is not used for this: it lets each connection
// send its whole per-second budget back to back at the start of every second
// (a burst at full speed, then silence), and it corrects for coordinated
// omission with a 1 ms interval, so its percentiles describe neither a steady
// rate nor the server.
import { Agent, request } from 'node:http';
import { variedBody } from './body.mjs';
import { percentile } from './stats.mjs';

let sequence = 0;

/**
 * Sends `rate` requests per second for `durationSec`, each planned `1/rate`
 * after the previous one. Latency runs from the moment a request is written
 * until its response has been read; `lagP99` says how late the generator
 * itself sent (its timers on a busy machine), so a reader can tell the two
 * apart. With `vary`, each request is another member (see body.mjs). An
 * aborted `signal` ends it before `durationSec`.
 */
export async function paced({ url, body, vary = false, rate, durationSec, signal, maxSockets = 64, headers = {} }) {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets });
  const tag = `paced-${process.pid}-${++sequence}`;
  const template = vary ? body.toString('utf8') : undefined;
  const bodyFor = template ? (n) => Buffer.from(variedBody(template, n, tag)) : () => body;
  const latencies = [];
  const lags = [];
  let errors = 0;
  let sent = 0;
  const intervalMs = 1000 / rate;
  const total = Math.round(rate * durationSec);
  const started = performance.now();

  const send = (n, plannedAt) =>
    new Promise((resolve) => {
      const payload = bodyFor(n);
      const sentAt = performance.now();
      lags.push(sentAt - plannedAt);
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'content-length': payload.length,
            operationid: `${tag}-${n}`,
            ...headers,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) latencies.push(performance.now() - sentAt);
            else errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(payload);
    });

  const inFlight = new Set();
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Everything planned up to now goes out; timers on a busy machine fire late, never early.
      while (sent < total && !signal?.aborted && started + sent * intervalMs <= now) {
        const p = send(sent, started + sent * intervalMs);
        inFlight.add(p);
        p.then(() => inFlight.delete(p));
        sent++;
      }
      if (sent < total && !signal?.aborted) {
        setTimeout(tick, Math.max(0, started + sent * intervalMs - performance.now()));
      } else resolve();
    };
    tick();
  });
  await Promise.all(inFlight);
  agent.destroy();
  const elapsedSec = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  lags.sort((a, b) => a - b);
  return {
    throughput: latencies.length / elapsedSec,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    p999: percentile(latencies, 0.999),
    max: latencies.at(-1) ?? Number.NaN,
    lagP99: percentile(lags, 0.99),
    ok: latencies.length,
    errors,
    elapsedSec,
  };
}
