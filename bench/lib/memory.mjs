// Memory: Redis bytes per waiting job (as the direct mode adds them, dedup key
// included) and per inbox entry (as the default inbox mode appends them), and a soak at a steady rate sampling the RSS of the ingress and
// the worker, which must stay flat.
import { Redis } from 'ioredis';
import { benchSettings, openQueue, prefill, prefillInbox } from './jobs.mjs';
import { paced } from './paced.mjs';
import { memoryOf } from './proc.mjs';
import { deleteQueueKeys, usedMemory } from './redis.mjs';
import { round, slope } from './stats.mjs';
import { startPipeline, waitDrained } from './worker.mjs';

export async function benchMemory({ redisUrl, databaseUrl, body, settings }) {
  return {
    redisBytesPerWaitingJob: await redisBytesPerJob(redisUrl),
    redisBytesPerInboxEntry: await redisBytesPerInboxEntry(redisUrl),
    soak: await soak({ redisUrl, databaseUrl, body, settings }),
  };
}

async function redisBytesPerJob(redisUrl) {
  const name = `bench-mem-${process.pid}`;
  const settings = benchSettings(redisUrl, name);
  const queue = openQueue(settings);
  const count = 10_000;
  try {
    await queue.pause();
    await queue.waitUntilReady();
    const before = await usedMemory(redisUrl);
    await prefill(queue, settings, count);
    const after = await usedMemory(redisUrl);
    return Math.round((after - before) / count);
  } finally {
    await queue.close();
    await deleteQueueKeys(redisUrl, name, name);
  }
}

async function redisBytesPerInboxEntry(redisUrl) {
  const name = `bench-mem-inbox-${process.pid}`;
  const redis = new Redis(redisUrl);
  const count = 10_000;
  try {
    const before = await usedMemory(redisUrl);
    await prefillInbox(redis, benchSettings(redisUrl, name), count);
    const after = await usedMemory(redisUrl);
    return Math.round((after - before) / count);
  } finally {
    redis.disconnect();
    await deleteQueueKeys(redisUrl, name, name);
  }
}

async function soak({ redisUrl, databaseUrl, body, settings, rate = 300 }) {
  const name = `bench-soak-${process.pid}`;
  const pipeline = await startPipeline({ name, redisUrl, databaseUrl });
  const { ingress, worker } = pipeline;
  const samples = [];
  const started = performance.now();
  const sample = () => {
    const at = (performance.now() - started) / 1000;
    samples.push({
      at: round(at),
      ingressMiB: round(memoryOf(ingress.child.pid).rssMiB),
      workerMiB: round(memoryOf(worker.child.pid).rssMiB),
    });
  };
  const timer = setInterval(sample, 5000);
  const queue = openQueue(benchSettings(redisUrl, name));
  try {
    const offered = await paced({
      url: pipeline.url,
      body,
      durationSec: settings.soakSec,
      rate,
    });
    sample();
    await waitDrained(queue);
    // Growth after warm-up: the slope over the second half, in MiB per minute.
    const late = samples.filter((s) => s.at >= settings.soakSec / 2);
    const growth = (key) => round(slope(late.map((s) => ({ x: s.at / 60, y: s[key] }))), 2);
    return {
      rate,
      seconds: settings.soakSec,
      acked: offered.ok,
      errors: offered.errors,
      samples,
      ingressMiBPerMin: growth('ingressMiB'),
      workerMiBPerMin: growth('workerMiB'),
    };
  } finally {
    clearInterval(timer);
    await queue.close();
    await pipeline.stop();
  }
}
