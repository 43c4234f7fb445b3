// The metrics' own cost per callback, without HTTP, Redis or other processes
// in the way: the built ingress app (pnpm build first) handles callbacks
// through app.request() with a producer that answers at once, with and without
// the metrics observer and the timed producer, in alternating rounds in one
// process. What remains is the hot-path work the metrics add.
//
//   node scripts/bench-metrics-micro.mjs
import { createRequire } from 'node:module';
import { createLogger } from '@openim-sync/runtime';
import { createCatalog } from '@openim-sync/schema';
import { createApp } from '../apps/ingress/dist/app.js';
import { createIngressMetrics } from '../apps/ingress/dist/metrics.js';

// prom-client is the ingress's dependency, not the workspace root's.
const { Registry } = createRequire(new URL('../apps/ingress/package.json', import.meta.url))('prom-client');
const chunks = 40;
const chunkSize = 500;
const logger = createLogger({ name: 'bench', level: 'silent', pretty: false });
const producer = { enqueue: async () => ({ ok: true, jobId: 'h-x' }), ready: async () => true };
const body = Buffer.from('{"callbackCommand":"callbackAfterQuitGroupCommand","groupID":"g1","userID":"u1"}\n');

function app(withMetrics) {
  const metrics = withMetrics ? createIngressMetrics({ registry: new Registry() }) : undefined;
  return createApp({
    config: { basePath: '/callback', maxBodyBytes: 1 << 20 },
    catalog: createCatalog(),
    producer: metrics ? metrics.instrumentProducer(producer) : producer,
    observer: metrics?.observer,
    logger,
  });
}

async function run(target, count) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const response = await target.request('/callback/callbackAfterQuitGroupCommand', {
      method: 'POST',
      headers: { 'content-type': 'application/json', operationid: String(i), 'content-length': String(body.length) },
      body,
    });
    if (response.status !== 200) throw new Error(`status ${response.status}: ${await response.text()}`);
  }
  return Number(process.hrtime.bigint() - started) / 1000 / count;
}

// Two apps of each kind, made off-on-on-off: which app V8 meets first was seen to
// shift results by about 5 % on its own; this order cancels that out.
const targets = [
  ['off', app(false)],
  ['on', app(true)],
  ['on', app(true)],
  ['off', app(false)],
];
for (const [, target] of targets) await run(target, 5000); // warm-up
// Small chunks, in turn, so a burst of load on this machine hits both kinds alike.
const results = { off: [], on: [] };
for (let chunk = 0; chunk < chunks; chunk++) {
  const order = chunk % 2 === 0 ? targets : [...targets].reverse();
  for (const [name, target] of order) results[name].push(await run(target, chunkSize));
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ratios = results.on.map((on, i) => on / results.off[i]);
const off = median(results.off);
const on = median(results.on);
console.log(`${chunks * 2} chunks of ${chunkSize} callbacks each way, median time per callback in the app:`);
console.log(
  `metrics off ${off.toFixed(1)} µs, metrics on ${on.toFixed(1)} µs; median on/off ratio of neighbouring chunks ${median(ratios).toFixed(3)}`,
);
