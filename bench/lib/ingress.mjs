// The ingress's ack path against its ceilings, in one run: a bare node:http
// server (HTTP), a bare Hono app (framework), the ingress (Hono + validation
// + Redis) in its default inbox mode and in direct mode at saturation; the
// bare server and the ingress at a fixed 1,000 req/s; and one process's raw
// BullMQ Queue.add rate (Redis).

import { Redis } from 'ioredis';
import { load } from './load.mjs';
import { paced } from './paced.mjs';
import { cpuSecondsOf, forkScript, freePort, memoryOf, startApp } from './proc.mjs';
import { deleteQueueKeys, redisCpuSeconds } from './redis.mjs';
import { median, round } from './stats.mjs';

export async function benchIngress({ redisUrl, body, settings }) {
  const queue = `bench-ingress-${process.pid}`;
  const PORTS = {
    'bare-http': await freePort(),
    'bare-hono': await freePort(),
    ingress: await freePort(),
    'ingress-direct': await freePort(),
  };
  const servers = {
    'bare-http': forkScript('./servers.mjs', ['bare-http'], { PORT: PORTS['bare-http'] }),
    'bare-hono': forkScript('./servers.mjs', ['bare-hono'], { PORT: PORTS['bare-hono'] }),
  };
  await Promise.all(Object.values(servers).map((s) => s.firstMessage));
  const ingressEnv = { REDIS_URL: redisUrl, QUEUE_NAME: queue, QUEUE_PREFIX: queue, HOST: '127.0.0.1' };
  // The default (ENQUEUE_MODE=inbox: one XADD, workers move it into BullMQ), and BullMQ's add on the ack path.
  const ingress = await startApp('ingress', { ...ingressEnv, PORT: PORTS.ingress }, /ingress listening/);
  const direct = await startApp(
    'ingress',
    { ...ingressEnv, PORT: PORTS['ingress-direct'], ENQUEUE_MODE: 'direct' },
    /ingress listening/,
  );
  const url = (name) => `http://127.0.0.1:${PORTS[name]}/callback/callbackAfterJoinGroupCommand`;
  const redisInfo = new Redis(redisUrl);
  try {
    // Warm-up: JIT, connection pools, Redis scripts. The ingresses, far more code than the
    // bare servers, take longer to reach their steady rate (their first rounds ran slower after 1 s).
    for (const name of Object.keys(PORTS)) {
      await load({ url: url(name), body, durationSec: name.startsWith('bare') ? 1 : 3 });
    }
    const pids = {
      'bare-http': servers['bare-http'].child.pid,
      'bare-hono': servers['bare-hono'].child.pid,
      ingress: ingress.child.pid,
      'ingress-direct': direct.child.pid,
    };
    const rounds = Object.fromEntries(Object.keys(PORTS).map((name) => [name, []]));
    for (let round = 0; round < settings.rounds; round++) {
      // Interleaved, so a noisy moment hits every target alike.
      for (const name of Object.keys(PORTS)) {
        // CPU per acknowledged request, of the server and of Redis: where the time goes.
        const before = { server: cpuSecondsOf(pids[name]), redis: await redisCpuSeconds(redisInfo) };
        const run = await load({ url: url(name), body, durationSec: settings.roundSec });
        const perRequest = (seconds) => (seconds * 1e6) / Math.max(1, run.ok);
        run.serverCpuUs = perRequest(cpuSecondsOf(pids[name]) - before.server);
        run.redisCpuUs = perRequest((await redisCpuSeconds(redisInfo)) - before.redis);
        rounds[name].push(run);
      }
    }
    const saturation = Object.fromEntries(Object.entries(rounds).map(([name, runs]) => [name, summarize(runs)]));
    // The median of the ratios within each round: both sides of a ratio saw the same moment of the machine.
    const perRound = (a, b) =>
      round(median(rounds[a].map((run, i) => run.throughput / (rounds[b][i]?.throughput ?? Number.NaN))), 3);
    const fixedRate = {};
    for (const name of ['bare-http', 'ingress']) fixedRate[name] = [];
    for (let round = 0; round < settings.rounds; round++) {
      for (const name of Object.keys(fixedRate)) {
        fixedRate[name].push(await paced({ url: url(name), body, rate: 1000, durationSec: settings.roundSec }));
      }
    }
    for (const [name, runs] of Object.entries(fixedRate)) fixedRate[name] = summarize(runs);
    const ingressMemory = memoryOf(ingress.child.pid);
    const queueAdd = await measureQueueAdd({ redisUrl, body, settings });
    return {
      saturation,
      fixedRate1000: fixedRate,
      queueAddPerSecond: queueAdd,
      ratios: {
        ingressVsBareHttp: perRound('ingress', 'bare-http'),
        directVsBareHttp: perRound('ingress-direct', 'bare-http'),
        ingressVsBareHono: perRound('ingress', 'bare-hono'),
        ingressVsQueueAdd: round(saturation.ingress.throughput / queueAdd, 3),
      },
      ingressPeakRssMiB: round(ingressMemory.peakMiB),
    };
  } finally {
    redisInfo.disconnect();
    await Promise.all([...Object.values(servers).map((s) => s.stop()), ingress.stop(), direct.stop()]);
    await deleteQueueKeys(redisUrl, queue, queue);
  }
}

async function measureQueueAdd({ redisUrl, body, settings }) {
  const queue = `bench-add-${process.pid}`;
  const rates = [];
  try {
    for (let round = 0; round < settings.rounds; round++) {
      const run = forkScript('./queue-add.mjs', [], {
        REDIS_URL: redisUrl,
        QUEUE_NAME: queue,
        QUEUE_PREFIX: queue,
        DURATION_MS: settings.roundSec * 1000,
        CONCURRENCY: 50,
        BODY: body.toString('utf8'),
      });
      rates.push((await run.firstMessage).addsPerSecond);
      await run.stop();
    }
    return round(median(rates));
  } finally {
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
          redisCpuUsPerRequest: round(median(runs.map((r) => r.redisCpuUs))),
        }),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    rounds: runs.map((r) => round(r.throughput)),
  };
}
