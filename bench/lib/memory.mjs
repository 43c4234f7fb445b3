// Memory: Redis bytes per waiting job (as the direct mode adds them, dedup key
// included) and per inbox entry (as the default inbox mode appends them),
// measured while nothing else writes to Redis; and the soak: an ingress and a
// postgres worker of its own at a steady, evenly paced rate, sampling the RSS
// of both (which must stay flat) and measuring the end-to-end latency of the
// callbacks of a quiet window after a warm-up. `pnpm bench` runs some of the
// worker drains alongside the rest of the soak (see run.mjs).
import { Redis } from 'ioredis';
import { benchSettings, openQueue, prefill, prefillInbox } from './jobs.mjs';
import { loadInChild } from './load.mjs';
import { memoryOf } from './proc.mjs';
import { deleteQueueKeys, usedMemory } from './redis.mjs';
import { round, slope } from './stats.mjs';
import { endToEndProbe, startPipeline, waitDrained } from './worker.mjs';

export async function benchRedisBytes({ redisUrl }) {
  return {
    redisBytesPerWaitingJob: await redisBytesPerJob(redisUrl),
    redisBytesPerInboxEntry: await redisBytesPerInboxEntry(redisUrl),
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

/**
 * Starts the soak. Its first seconds are a warm-up (connections, prepared
 * statements, JIT) and then a quiet window in which the end-to-end latency is
 * measured; `quiet` resolves when that window is over and other parts may run
 * alongside. It sends for `settings.soakSec`, and on until `release()` is
 * called, so every part run alongside has the same background throughout;
 * `result` resolves once it drained and stopped.
 */
export function startSoak(options) {
  let quietOver;
  let release;
  const quiet = new Promise((resolve) => {
    quietOver = resolve;
  });
  const released = new Promise((resolve) => {
    release = resolve;
  });
  const result = soak({ ...options, onQuietOver: () => quietOver(), released }).finally(() => quietOver());
  return { quiet, release, result };
}

async function soak({ redisUrl, databaseUrl, bodyFile, settings, onQuietOver, released, rate = settings.soakRate }) {
  const name = `bench-soak-${process.pid}`;
  const pipeline = await startPipeline({ name, redisUrl, databaseUrl });
  const { ingress, worker } = pipeline;
  const probe = endToEndProbe({ name, redisUrl, databaseUrl, schema: pipeline.schema });
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
  let quietTimer;
  try {
    await probe.start();
    // End to end: the callbacks received in a quiet window after a warm-up (connections, prepared
    // statements, JIT). The drains run alongside after it saturate the machine: what they would add
    // is the machine's queueing, not the pipeline's latency.
    const from = Date.now() + Math.min(10, settings.soakSec / 4) * 1000;
    const window = { from, until: from + Math.min(10, settings.soakSec / 4) * 1000 };
    quietTimer = setTimeout(onQuietOver, window.until - Date.now());
    // Each request another member (see body.mjs), sent from a process of its own: the bench's
    // event loop also drives the parts that run alongside.
    const minimum = new Promise((resolve) => setTimeout(resolve, settings.soakSec * 1000).unref());
    const offered = await loadInChild(
      // At most ten minutes past the soak's own length, should a part alongside hang.
      { paced: true, vary: true, url: pipeline.url, bodyFile, durationSec: settings.soakSec + 600, rate },
      { stopWhen: Promise.all([minimum, released]) },
    );
    const seconds = offered.elapsedSec;
    sample();
    await waitDrained(queue);
    // Growth after warm-up, in MiB per minute: the slope of the floor (the lowest sample of each
    // fifth of the second half), so a collection's sawtooth reads as what it is, not as growth.
    const late = samples.filter((s) => s.at >= seconds / 2);
    const floor = (key) => {
      const width = seconds / 10;
      const windows = new Map();
      for (const s of late) {
        const w = Math.min(4, Math.floor((s.at - seconds / 2) / width));
        const low = windows.get(w);
        if (!low || s[key] < low[key]) windows.set(w, s);
      }
      return [...windows.values()];
    };
    const growth = (key) => round(slope(floor(key).map((s) => ({ x: s.at / 60, y: s[key] }))), 2);
    return {
      rate,
      seconds: round(seconds),
      acked: offered.ok,
      errors: offered.errors,
      ackP50: round(offered.p50, 2),
      ackP99: round(offered.p99, 2),
      endToEnd: await probe.measure(window, offered.ok),
      samples,
      ingressMiBPerMin: growth('ingressMiB'),
      workerMiBPerMin: growth('workerMiB'),
    };
  } finally {
    clearTimeout(quietTimer);
    clearInterval(timer);
    await probe.close();
    await queue.close();
    await pipeline.stop();
  }
}
