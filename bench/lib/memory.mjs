// Memory: Redis bytes per waiting job (as the inbox mover adds them, dedup key
// included) and per inbox entry (as the ingress appends them),
// measured while nothing else writes to Redis; and the soak: an ingress and a
// postgres worker of its own at a steady, evenly paced rate, sampling the RSS
// of both (which must stay flat) and measuring the end-to-end latency of the
// callbacks of a quiet window at its end. `pnpm bench` runs the ingress part
// and the worker drains alongside the soak (see run.mjs).
import { setPriority } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
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
 * Starts the soak, which the other parts of the run then share the machine
 * with. It sends for at least `settings.soakSec`, and on until `release()` is
 * called and a quiet window after it is over: the end-to-end latency is
 * measured there, once the soak has run warm and nothing else runs. `result`
 * resolves once it drained and stopped.
 */
export function startSoak(options) {
  let release;
  const released = new Promise((resolve) => {
    release = resolve;
  });
  const result = soak({ ...options, released });
  // Handled where the run awaits it, after the parts alongside; not a crash before then.
  result.catch(() => {});
  return { release, result };
}

// Between the end of the parts alongside and the quiet window.
const SETTLE_MS = 2000;

async function soak({ redisUrl, databaseUrl, bodyFile, settings, released, rate = settings.soakRate }) {
  const name = `bench-soak-${process.pid}`;
  const pipeline = await startPipeline({ name, redisUrl, databaseUrl });
  const { ingress, worker } = pipeline;
  // The soak is the background of the parts that run alongside it: its ingress and worker yield
  // the cores to them (a higher nice value), so that their figures carry less of it, while its
  // sender keeps the rate. Its own acks wait more while those parts saturate the machine
  // (docs/PERFORMANCE.md has the runs that decided this).
  let nice = settings.soakNice;
  try {
    for (const app of [ingress, worker]) setPriority(app.child.pid, nice);
  } catch {
    nice = null;
  }
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
  try {
    await probe.start();
    const windowSec = Math.min(10, settings.soakSec / 4);
    let windowOver;
    const window = {};
    const stopWhen = Promise.all([delay(settings.soakSec * 1000), new Promise((resolve) => (windowOver = resolve))]);
    // Each request another member (see body.mjs), sent from a process of its own: the bench's
    // event loop also drives the parts that run alongside.
    const sending = loadInChild(
      // At most ten minutes past the soak's own length, should a part alongside hang.
      { paced: true, vary: true, url: pipeline.url, bodyFile, durationSec: settings.soakSec + 600, rate },
      { stopWhen },
    );
    // End to end: the callbacks received in a quiet window, once the parts alongside are done (they
    // saturate the machine: what they would add is its queueing, not the pipeline's latency), the
    // worker has caught up with what they left it, and the soak has run warm (connections,
    // prepared statements, JIT) for at least the window's length.
    await Promise.race([released, sending]);
    await Promise.all([delay(SETTLE_MS), delay(windowSec * 1000 - (performance.now() - started))]);
    window.from = Date.now();
    window.until = window.from + windowSec * 1000;
    const windowAt = (performance.now() - started) / 1000;
    setTimeout(windowOver, windowSec * 1000);
    const offered = await sending;
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
      nice,
      seconds: round(seconds),
      acked: offered.ok,
      errors: offered.errors,
      ackP50: round(offered.p50, 2),
      ackP99: round(offered.p99, 2),
      endToEnd: await probe.measure(window, offered.ok),
      // Seconds into the soak when the window began.
      endToEndWindowAt: round(windowAt),
      samples,
      ingressMiBPerMin: growth('ingressMiB'),
      workerMiBPerMin: growth('workerMiB'),
    };
  } finally {
    clearInterval(timer);
    await probe.close();
    await queue.close();
    await pipeline.stop();
  }
}
