// The ingress's ack path against its ceilings: a bare node:http server
// (HTTP), a bare Hono app (framework), the ingress (Hono + validation + one
// XADD to the inbox) at saturation, with one process's raw BullMQ Queue.add
// rate (Redis); and the bare server and the ingress at a fixed 1,000 req/s.

import { inboxKeys } from '@openim-sync/queue';
import { Redis } from 'ioredis';
import { load } from './load.mjs';
import { paced } from './paced.mjs';
import { cpuSecondsOf, forkScript, freePort, memoryOf, startApp } from './proc.mjs';
import { deleteQueueKeys, redisCpuPerSecond, redisCpuSeconds } from './redis.mjs';
import { median, round } from './stats.mjs';

const URL_PATH = '/callback/callbackAfterJoinGroupCommand';

/**
 * Starts the named targets, each on a port of its own: the bare servers
 * (servers.mjs) and the ingress. `url(name)`, `pid(name)`, `warmUp(body)`, `stop()`.
 */
async function startTargets(names, { redisUrl, queue }) {
  const ingressEnv = { REDIS_URL: redisUrl, QUEUE_NAME: queue, QUEUE_PREFIX: queue, HOST: '127.0.0.1' };
  const targets = {};
  const stop = async () => {
    await Promise.all(Object.values(targets).map((t) => t.stop()));
    await deleteQueueKeys(redisUrl, queue, queue);
  };
  const start = async (name) => {
    const port = await freePort();
    if (name.startsWith('bare')) {
      const server = forkScript('./servers.mjs', [name], { PORT: port });
      targets[name] = { port, pid: server.child.pid, stop: server.stop };
      await server.firstMessage;
    } else {
      const app = await startApp('ingress', { ...ingressEnv, PORT: port }, /ingress listening/);
      targets[name] = { port, pid: app.child.pid, stop: app.stop };
    }
  };
  // Side by side (setup, not measured).
  const failed = (await Promise.allSettled(names.map(start))).find((result) => result.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const url = (name) => `http://127.0.0.1:${targets[name].port}${URL_PATH}`;
  return {
    url,
    pid: (name) => targets[name].pid,
    // JIT, connection pools, Redis scripts. The ingresses, far more code than the bare servers,
    // take longer to reach their steady rate (their first rounds ran slower after 1 s).
    async warmUp(body) {
      for (const name of names) await load({ url: url(name), body, durationSec: name.startsWith('bare') ? 1 : 3 });
    },
    stop,
  };
}

/**
 * Saturation: each target as fast as 50 connections can drive it, in
 * interleaved rounds; then the bare server and the ingress at a fixed
 * 1,000 req/s, evenly paced, in interleaved rounds; then one process's raw
 * Queue.add rate. pnpm bench runs this alongside the soak, whose apps yield
 * the cores to it (see memory.mjs).
 */
export async function benchIngress({ redisUrl, body, settings }) {
  // bare-http and the ingress, the two sides of the target's ratio, run next to each other in
  // every round and take `ratioRounds` (more than the others'): single rounds of the ratio ranged
  // from 0.43 to 0.79 over the day's runs.
  const names = ['bare-http', 'ingress', 'bare-hono'];
  const roundsOf = (name) => (name === 'bare-http' || name === 'ingress' ? settings.ratioRounds : settings.rounds);
  const queue = `bench-ingress-${process.pid}`;
  const targets = await startTargets(names, { redisUrl, queue });
  const redisInfo = new Redis(redisUrl);
  try {
    await targets.warmUp(body);
    // What Redis spends for others meanwhile (the soak that pnpm bench runs alongside, other
    // tenants), measured before and after the rounds and taken out of each target's Redis CPU
    // below. Where the two differ by more than a third, the background is not steady enough to
    // take out, and no Redis CPU is reported.
    const backgroundBefore = await redisCpuPerSecond(redisInfo, 1000);
    const rounds = Object.fromEntries(names.map((name) => [name, []]));
    for (let round = 0; round < Math.max(...names.map(roundsOf)); round++) {
      // Interleaved, every other round in the reverse order, so a noisy moment or a drift of the
      // machine's speed hits every target alike.
      for (const name of round % 2 ? names.toReversed() : names) {
        if (round >= roundsOf(name)) continue;
        // CPU per acknowledged request, of the server and of Redis: where the time goes.
        const pid = targets.pid(name);
        const before = { server: cpuSecondsOf(pid), redis: await redisCpuSeconds(redisInfo), at: Date.now() };
        const run = await load({ url: targets.url(name), body, durationSec: settings.roundSec });
        run.serverSeconds = cpuSecondsOf(pid) - before.server;
        run.redis = { seconds: (await redisCpuSeconds(redisInfo)) - before.redis, elapsed: Date.now() - before.at };
        rounds[name].push(run);
      }
    }
    const backgroundAfter = await redisCpuPerSecond(redisInfo, 1000);
    const backgroundRedis = (backgroundBefore + backgroundAfter) / 2;
    const steady =
      Math.abs(backgroundBefore - backgroundAfter) <= 0.002 + Math.max(backgroundBefore, backgroundAfter) / 3;
    for (const run of Object.values(rounds).flat()) {
      const perRequest = (seconds) => (seconds * 1e6) / Math.max(1, run.ok);
      run.serverCpuUs = perRequest(run.serverSeconds);
      run.redisCpuUs = steady
        ? perRequest(Math.max(0, run.redis.seconds - (backgroundRedis * run.redis.elapsed) / 1000))
        : null;
    }
    const saturation = Object.fromEntries(Object.entries(rounds).map(([name, runs]) => [name, summarize(runs)]));
    // The median of the ratios within each round both took part in: both sides of a ratio saw the
    // same moment of the machine.
    const perRound = (a, b) =>
      round(median(rounds[a].slice(0, rounds[b].length).map((run, i) => run.throughput / rounds[b][i].throughput)), 3);
    // No worker drains the bench's inbox: the saturation rounds left a few hundred thousand entries
    // in it. In production movers keep it short; so does this, before the fixed rate.
    await redisInfo.unlink(inboxKeys({ prefix: queue, name: queue }).stream);
    const fixed = { 'bare-http': [], ingress: [] };
    // A second at the rate first, unmeasured: the first round after saturation ran slower (its
    // sockets closing, collections catching up), 12.5 ms at p99 against 3.4-4.5 in the next two.
    for (const name of Object.keys(fixed)) await paced({ url: targets.url(name), body, rate: 1000, durationSec: 1 });
    for (let round = 0; round < settings.rounds; round++) {
      for (const name of Object.keys(fixed)) {
        fixed[name].push(await paced({ url: targets.url(name), body, rate: 1000, durationSec: settings.roundSec }));
      }
    }
    const ingressMemory = memoryOf(targets.pid('ingress'));
    const queueAdd = await measureQueueAdd({ redisUrl, body, settings });
    return {
      saturation,
      fixedRate1000: Object.fromEntries(Object.entries(fixed).map(([name, runs]) => [name, summarize(runs)])),
      queueAddPerSecond: queueAdd,
      ratios: {
        ingressVsBareHttp: perRound('ingress', 'bare-http'),
        ingressVsBareHono: perRound('ingress', 'bare-hono'),
        ingressVsQueueAdd: round(saturation.ingress.throughput / queueAdd, 3),
      },
      ingressPeakRssMiB: round(ingressMemory.peakMiB),
      backgroundRedisCpuUsPerSecond: [round(backgroundBefore * 1e6), round(backgroundAfter * 1e6)],
    };
  } finally {
    redisInfo.disconnect();
    await targets.stop();
  }
}

async function measureQueueAdd({ redisUrl, body, settings }) {
  const queue = `bench-add-${process.pid}`;
  const run = forkScript('./queue-add.mjs', [], {
    REDIS_URL: redisUrl,
    QUEUE_NAME: queue,
    QUEUE_PREFIX: queue,
    DURATION_MS: settings.roundSec * 1000,
    ROUNDS: settings.rounds,
    CONCURRENCY: 50,
    BODY: body.toString('utf8'),
  });
  try {
    return round(median((await run.firstMessage).addsPerSecond));
  } finally {
    await run.stop();
    await deleteQueueKeys(redisUrl, queue, queue);
  }
}

function summarize(runs) {
  return {
    throughput: round(median(runs.map((r) => r.throughput))),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    p999: median(runs.map((r) => r.p999)),
    ...(runs[0]?.lagP99 === undefined ? {} : { senderLagP99: median(runs.map((r) => r.lagP99)) }),
    ...(runs[0]?.serverCpuUs === undefined
      ? {}
      : {
          serverCpuUsPerRequest: round(median(runs.map((r) => r.serverCpuUs))),
          redisCpuUsPerRequest: runs[0].redisCpuUs === null ? null : round(median(runs.map((r) => r.redisCpuUs))),
        }),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    rounds: runs.map((r) => round(r.throughput)),
    p99Rounds: runs.map((r) => round(r.p99, 2)),
  };
}
