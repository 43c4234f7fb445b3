// Does collecting metrics slow the callback path? Runs the built ingress twice
// side by side on the same Redis: once without METRICS_USER/METRICS_PASSWORD (no
// metrics collected at all) and once with them (metrics collected, and /metrics
// scraped every second during the load, far more often than Prometheus
// would). Rounds alternate between the two, so a noisy moment hits both.
//
//   pnpm build && node scripts/bench-metrics.mjs
//
// Settings: REDIS_URL (default redis://127.0.0.1:6379), BENCH_ROUNDS (3),
// BENCH_SECONDS (10), BENCH_CONNECTIONS (50). Prints medians of req/s, p99
// latency and the ingress's CPU time per request.
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { deleteQueueKeys, freePort, startService, uniqueName } from '@openim-sync/testing';
import autocannon from 'autocannon';

const { REDIS_URL, BENCH_ROUNDS, BENCH_SECONDS, BENCH_CONNECTIONS } = process.env;
const redisUrl = REDIS_URL ?? 'redis://127.0.0.1:6379';
const rounds = Number(BENCH_ROUNDS ?? 3);
const seconds = Number(BENCH_SECONDS ?? 10);
const connections = Number(BENCH_CONNECTIONS ?? 50);
const scraper = { user: 'bench', password: 'bench-password' };
const authorization = `Basic ${Buffer.from(`${scraper.user}:${scraper.password}`).toString('base64')}`;
// autocannon puts a fresh id into every body, so each request becomes a new job (no deduplication shortcut).
const body = '{"callbackCommand":"callbackAfterQuitGroupCommand","groupID":"g-[<id>]","userID":"u1"}\n';

async function startIngress(name, withMetrics) {
  const [port, adminPort] = [await freePort(), await freePort()];
  const queue = { QUEUE_NAME: 'bench', QUEUE_PREFIX: uniqueName(`bench_${name}`) };
  const env = { REDIS_URL: redisUrl, ...queue, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error' };
  if (withMetrics)
    Object.assign(env, {
      ADMIN_PORT: String(adminPort),
      ADMIN_HOST: '127.0.0.1',
      METRICS_USER: scraper.user,
      METRICS_PASSWORD: scraper.password,
    });
  const service = startService('apps/ingress/dist/main.js', { ...env, LOG_LEVEL: 'info' });
  await service.waitForLine(withMetrics ? /admin listening/ : /ingress listening/);
  return {
    name,
    pid: service.child.pid,
    url: `http://127.0.0.1:${port}/callback/callbackAfterQuitGroupCommand`,
    metricsUrl: withMetrics ? `http://127.0.0.1:${adminPort}/metrics` : undefined,
    clean: () => deleteQueueKeys(redisUrl, queue.QUEUE_PREFIX, queue.QUEUE_NAME),
    stop: () => service.stop(),
  };
}

async function load(target, duration) {
  let scrapes = 0;
  const scraping = target.metricsUrl
    ? setInterval(() => {
        fetch(target.metricsUrl, { headers: { authorization } }).then((r) => r.text().then(() => scrapes++));
      }, 1000)
    : undefined;
  const cpuBefore = cpuSeconds(target.pid);
  try {
    const result = await autocannon({
      url: target.url,
      method: 'POST',
      connections,
      duration,
      headers: { 'content-type': 'application/json', operationid: 'bench' },
      body,
      idReplacement: true,
    });
    if (result.errors || result.non2xx || result.timeouts) {
      throw new Error(`${target.name}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`);
    }
    // CPU per request is steadier than req/s on a shared machine: other load slows both alike.
    const cpuUs = ((cpuSeconds(target.pid) - cpuBefore) / result.requests.total) * 1e6;
    return { rps: result.requests.average, p99: result.latency.p99, cpuUs, scrapes };
  } finally {
    clearInterval(scraping);
    await target.clean();
  }
}

/** CPU seconds (user + system) the process has used so far, from /proc (Linux). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const targets = [await startIngress('metrics off', false), await startIngress('metrics on', true)];
try {
  for (const target of targets) await load(target, 3); // warm-up: JIT, Redis scripts, connections
  const runs = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) {
      const run = await load(target, seconds);
      runs[target.name].push(run);
      console.log(
        `round ${round + 1} ${target.name}: ${Math.round(run.rps)} req/s, p99 ${run.p99} ms, ${Math.round(run.cpuUs)} µs CPU/request`,
      );
      await delay(1000);
    }
  }
  console.log(`\n${connections} connections, ${seconds} s per run, ${rounds} rounds, medians:`);
  for (const [name, list] of Object.entries(runs)) {
    const scrapes = list.reduce((n, r) => n + r.scrapes, 0);
    console.log(
      `${name.padEnd(12)} ${Math.round(median(list.map((r) => r.rps)))} req/s  p99 ${median(list.map((r) => r.p99))} ms  ` +
        `${Math.round(median(list.map((r) => r.cpuUs)))} µs CPU/request` +
        (scrapes ? `  (${scrapes} scrapes during the runs)` : ''),
    );
  }
} finally {
  await Promise.all(targets.map((t) => t.stop()));
}
