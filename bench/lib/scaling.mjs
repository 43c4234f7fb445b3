// How throughput scales with processes (BENCH_ONLY=scaling, pnpm
// bench:scaling; not part of the default run): one ingress process against
// two sharing the load, and one postgres worker process against two.
import { load, loadInChild } from './load.mjs';
import { freePort, startApp } from './proc.mjs';
import { deleteQueueKeys } from './redis.mjs';
import { median, round } from './stats.mjs';
import { benchWorkerScaling } from './worker.mjs';

export async function benchScaling({ redisUrl, databaseUrl, body, bodyFile, settings }) {
  return {
    ingress: await ingressScaling({ redisUrl, body, bodyFile, settings }),
    worker: await benchWorkerScaling({ redisUrl, databaseUrl, settings }),
  };
}

/**
 * Each load generator runs in a process of its own (two autocannons in the
 * bench's one event loop would measure that loop): one ingress gets one
 * generator with 50 connections, two get one generator each with 25.
 */
async function ingressScaling({ redisUrl, body, bodyFile, settings }) {
  const queue = `bench-scaling-${process.pid}`;
  const env = { REDIS_URL: redisUrl, QUEUE_NAME: queue, QUEUE_PREFIX: queue, HOST: '127.0.0.1' };
  const ports = [await freePort(), await freePort()];
  const apps = [];
  const inChild = async (options) => (await loadInChild({ ...options, bodyFile })).throughput;
  const one = [];
  const two = [];
  try {
    for (const port of ports) apps.push(await startApp('ingress', { ...env, PORT: port }, /ingress listening/));
    const urls = ports.map((port) => `http://127.0.0.1:${port}/callback/callbackAfterJoinGroupCommand`);
    for (const url of urls) await load({ url, body, durationSec: 1 });
    for (let round = 0; round < settings.rounds; round++) {
      one.push(await inChild({ url: urls[0], durationSec: settings.roundSec }));
      const pair = await Promise.all(
        urls.map((url) => inChild({ url, durationSec: settings.roundSec, connections: 25 })),
      );
      two.push(pair[0] + pair[1]);
    }
  } finally {
    await Promise.all(apps.map((app) => app.stop()));
    await deleteQueueKeys(redisUrl, queue, queue);
  }
  return {
    oneProcess: round(median(one)),
    twoProcesses: round(median(two)),
    rounds: { one: one.map((r) => round(r)), two: two.map((r) => round(r)) },
  };
}
