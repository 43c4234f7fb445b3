// Worker drain rates against a bare BullMQ worker in the same run, and the
// probe of end-to-end latency (received at the ingress → applied in Postgres)
// that the soak runs.
import { setTimeout as delay } from 'node:timers/promises';
import { inboxKeys } from '@openim-sync/queue';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { benchSettings, openQueue, prefill, prefillInbox } from './jobs.mjs';
import { cpuSecondsOf, forkScript, freePort, memoryOf, startApp } from './proc.mjs';
import { deleteQueueKeys } from './redis.mjs';
import { median, round } from './stats.mjs';

const VARIANTS = [
  ['bare', [8, 64]],
  ['noop', [8, 64]],
  // The noop worker fed through the inbox: each job first moved from the stream into the queue.
  ['inbox', [64]],
  ['postgres', [32, 64]],
  ['http', [32, 64]],
];
// Only when named in BENCH_WORKER_VARIANTS: the postgres sink on presence reports.
const EXTRA_VARIANTS = [['presence', [32]]];
const WARM_UP_JOBS = 1000;

/** Drains of every variant (or of those named in BENCH_WORKER_VARIANTS), with their ratios. */
export async function benchWorkers({ redisUrl, databaseUrl, settings }) {
  // BENCH_WORKER_VARIANTS=postgres: only those variants.
  const only = process.env.BENCH_WORKER_VARIANTS?.split(',');
  const variants = only ? [...VARIANTS, ...EXTRA_VARIANTS].filter(([variant]) => only.includes(variant)) : VARIANTS;
  if (variants.length === 0) return undefined;
  const receiver = await startReceiver();
  const rigs = [];
  try {
    // Started side by side (setup, not measured); each stays up, idle between its drains.
    const started = await Promise.allSettled(
      variants.flatMap(([variant, concurrencies]) =>
        concurrencies.map((concurrency) =>
          startRig({ variant, concurrency, redisUrl, databaseUrl, receiverPort: receiver.port }),
        ),
      ),
    );
    for (const result of started) if (result.status === 'fulfilled') rigs.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    return await drainRounds(rigs, settings);
  } finally {
    await Promise.all(rigs.map((rig) => rig.stop()));
    await receiver.stop();
  }
}

/**
 * Each rig's drains alone, in rounds that interleave the rigs, so a noisy
 * moment hits all of them; each figure is the median over rounds. Then the
 * target's ratio, noop against bare, from drains side by side (drainSideBySide).
 */
async function drainRounds(rigs, settings) {
  const rounds = [];
  // Neighbours in each round drain one right after the other (noop@8 next to bare@8), and every
  // other round runs in the reverse order, so a drift of the machine's speed favours neither.
  rigs.sort((a, b) => a.concurrency - b.concurrency);
  // One unmeasured drain each first (JIT, connections, scripts): without it the first round
  // ran slower than the next two for every variant.
  for (const rig of rigs) await rig.drain(WARM_UP_JOBS, 0);
  let offset = WARM_UP_JOBS;
  for (let round = 0; round < settings.rounds; round++, offset += settings.drainJobs) {
    const runs = {};
    for (const rig of round % 2 ? rigs.toReversed() : rigs) runs[rig.key] = await rig.drain(settings.drainJobs, offset);
    rounds.push(runs);
  }
  const rig = (key) => rigs.find((r) => r.key === key);
  const paired = {};
  for (const concurrency of [8, 64]) {
    const [noop, bare] = [rig(`noop@${concurrency}`), rig(`bare@${concurrency}`)];
    if (!noop || !bare) continue;
    paired[concurrency] = [];
    for (let round = 0; round < settings.ratioRounds; round++, offset += settings.ratioJobs) {
      // Each side starts first every other round.
      const pair = round % 2 ? [bare, noop] : [noop, bare];
      const done = await drainSideBySide(pair, settings.ratioJobs, offset);
      paired[concurrency].push(round3(done.get(noop) / done.get(bare)));
    }
  }
  const peakRssMiB = Object.fromEntries(rigs.map((rig) => [rig.key, rig.peakRssMiB()]));
  const results = {};
  for (const rig of rigs) {
    const runs = rounds.map((r) => r[rig.key]);
    results[rig.key] = {
      jobsPerSecond: round(median(runs.map((r) => r.jobsPerSecond))),
      seconds: round(median(runs.map((r) => r.seconds)), 2),
      cpuUsPerJob: round(median(runs.map((r) => r.cpuUsPerJob))),
      failed: runs.reduce((sum, r) => sum + r.failed, 0),
      peakRssMiB: peakRssMiB[rig.key],
      rounds: runs.map((r) => r.jobsPerSecond),
    };
  }
  // The median of the ratios within each round (drains alone, one after the other).
  const ratio = (a, b) => {
    const both = rounds.filter((r) => r[a] && r[b]);
    return both.length > 0 ? round3(median(both.map((r) => r[a].jobsPerSecond / r[b].jobsPerSecond))) : undefined;
  };
  const pairedMedian = (concurrency) => (paired[concurrency] ? round3(median(paired[concurrency])) : undefined);
  return {
    drains: results,
    ratios: {
      noopVsBare8: pairedMedian(8),
      noopVsBare64: pairedMedian(64),
      inboxVsNoop64: ratio('inbox@64', 'noop@64'),
    },
    noopVsBare: {
      // Side by side, per round: what the target reads (the median of these).
      pairedRounds: paired,
      // The same ratio from the drains alone, for comparison: noisier by far on this machine.
      alone: { 8: ratio('noop@8', 'bare@8'), 64: ratio('noop@64', 'bare@64') },
    },
  };
}

/**
 * The postgres sink with one worker process against two (WORKER_CONCURRENCY
 * 32 each), taking turns within each round.
 */
export async function benchWorkerScaling({ redisUrl, databaseUrl, settings }) {
  const rigs = [];
  const runs = { 1: [], 2: [] };
  try {
    for (const processes of [1, 2]) {
      rigs.push(await startRig({ variant: 'postgres', concurrency: 32, processes, redisUrl, databaseUrl }));
    }
    for (let round = 0; round < settings.rounds; round++) {
      for (const [i, rig] of rigs.entries()) {
        runs[i + 1].push((await rig.drain(settings.drainJobs, round * settings.drainJobs)).jobsPerSecond);
      }
    }
  } finally {
    await Promise.all(rigs.map((rig) => rig.stop()));
  }
  return {
    oneProcess: { jobsPerSecond: median(runs[1]), rounds: runs[1] },
    twoProcesses: { jobsPerSecond: median(runs[2]), rounds: runs[2] },
  };
}

async function startReceiver() {
  const port = await freePort();
  const receiver = forkScript('./servers.mjs', ['receiver'], { PORT: port });
  await receiver.firstMessage;
  return { port, stop: () => receiver.stop() };
}

/**
 * One variant's queue (and schema) with its worker processes, started once
 * and idle between drains: each round only fills the queue and times the
 * drain. `drain(jobs, offset)` adds jobs `offset`… while the queue is paused
 * (the inbox variant appends them to the inbox while the worker runs) and
 * resolves with the rate once nothing waits.
 */
async function startRig({ variant, concurrency, processes = 1, redisUrl, databaseUrl, receiverPort }) {
  const name = `bench-drain-${variant}-${concurrency}-${processes}-${process.pid}`;
  const settings = benchSettings(redisUrl, name);
  const queue = openQueue(settings);
  const redis = new Redis(redisUrl);
  const schema = name.replaceAll('-', '_');
  const env = { REDIS_URL: redisUrl, QUEUE_NAME: name, QUEUE_PREFIX: name, WORKER_CONCURRENCY: concurrency };
  const workers = [];
  const stop = async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await queue.close();
    redis.disconnect();
    await deleteQueueKeys(redisUrl, name, name);
    if (variant === 'postgres' || variant === 'presence') await dropSchema(databaseUrl, schema);
  };
  try {
    if (variant === 'bare') {
      const worker = forkScript('./bare-worker.mjs', [], env);
      workers.push(worker);
      await worker.firstMessage;
    } else {
      const sinkEnv = {
        noop: { SINKS: 'noop' },
        inbox: { SINKS: 'noop' },
        postgres: { SINKS: 'postgres', DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema },
        presence: { SINKS: 'postgres', DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema },
        http: { SINKS: 'http', FORWARD_URL: `http://127.0.0.1:${receiverPort}/events` },
      }[variant];
      for (let i = 0; i < processes; i++) {
        workers.push(await startApp('worker', { ...env, ...sinkEnv }, /worker started/));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    concurrency,
    key: processes === 1 ? `${variant}@${concurrency}` : `${variant}×${processes}@${concurrency}`,
    queue,
    /** Adds jobs `offset`… while the queue is paused (not for the inbox variant). */
    async fill(jobs, offset) {
      await queue.pause();
      await prefill(queue, settings, jobs, offset, variant === 'presence' ? 'presence' : 'membership');
    },
    /** Jobs not finished yet: waiting (paused included) or active. */
    remaining: () => unfinishedJobs(queue),
    async drain(jobs, offset) {
      const failedBefore = await queue.getFailedCount();
      if (variant !== 'inbox') await this.fill(jobs, offset);
      // CPU time of the worker processes per job: far steadier on this machine than the rate.
      const cpu = () => workers.reduce((sum, w) => sum + cpuSecondsOf(w.child.pid), 0);
      const cpuBefore = cpu();
      const started = performance.now();
      if (variant === 'inbox') await prefillInbox(redis, settings, jobs, offset);
      else await queue.resume();
      await waitDrained(queue);
      const seconds = (performance.now() - started) / 1000;
      return {
        jobsPerSecond: round(jobs / seconds),
        seconds: round(seconds, 2),
        cpuUsPerJob: round(((cpu() - cpuBefore) * 1e6) / jobs),
        failed: (await queue.getFailedCount()) - failedBefore,
      };
    },
    /** The highest RSS any of its processes reached so far (while they run). */
    peakRssMiB: () => round(Math.max(...workers.map((w) => memoryOf(w.child.pid).peakMiB))),
    stop,
  };
}

/**
 * Two rigs drain `jobs` each side by side, from the same moment, so that both
 * see the same moments of this noisy machine (alone, one after the other,
 * single rounds of noop ÷ bare ranged 0.70-1.26 in one run). Returns how many
 * jobs each finished while both were draining: until the first was done.
 */
async function drainSideBySide(pair, jobs, offset) {
  for (const rig of pair) await rig.fill(jobs, offset);
  await Promise.all(pair.map((rig) => rig.queue.resume()));
  let done;
  while (!done) {
    const remaining = await Promise.all(pair.map((rig) => rig.remaining()));
    if (remaining.includes(0)) done = new Map(pair.map((rig, i) => [rig, jobs - remaining[i]]));
    else await delay(10);
  }
  await Promise.all(pair.map((rig) => waitDrained(rig.queue)));
  return done;
}

const round3 = (n) => round(n, 3);

/** Jobs of the queue not finished yet: waiting (paused included), active, delayed or held back. */
async function unfinishedJobs(queue) {
  const counts = await queue.getJobCounts('wait', 'paused', 'active', 'delayed', 'prioritized', 'waiting-children');
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/** Resolves once nothing waits: neither a job in the queue nor an entry in its inbox. */
export async function waitDrained(queue) {
  const redis = new Redis(queue.opts.connection.url);
  const { stream } = inboxKeys({ prefix: queue.opts.prefix, name: queue.name });
  try {
    for (;;) {
      if ((await unfinishedJobs(queue)) === 0 && (await redis.xlen(stream)) === 0) return;
      await delay(20);
    }
  } finally {
    redis.disconnect();
  }
}

/**
 * An ingress and one postgres worker on a queue and a schema of their own;
 * `stop` ends both processes and removes the queue's keys and the schema.
 */
export async function startPipeline({ name, redisUrl, databaseUrl }) {
  const schema = name.replaceAll('-', '_');
  const port = await freePort();
  const env = { REDIS_URL: redisUrl, QUEUE_NAME: name, QUEUE_PREFIX: name };
  const worker = await startApp(
    'worker',
    { ...env, DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema },
    /worker started/,
  );
  const ingress = await startApp('ingress', { ...env, PORT: port, HOST: '127.0.0.1' }, /ingress listening/);
  return {
    schema,
    worker,
    ingress,
    url: `http://127.0.0.1:${port}/callback/callbackAfterJoinGroupCommand`,
    async stop() {
      await Promise.all([ingress.stop(), worker.stop()]);
      await deleteQueueKeys(redisUrl, name, name);
      await dropSchema(databaseUrl, schema);
    },
  };
}

async function dropSchema(databaseUrl, schema) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Received → applied latency of one pipeline, on two clocks against the
 * ingress's receive time: `applied_at` in Postgres (its transaction's start,
 * a little before the commit), and when the job completed (the id of BullMQ's
 * `completed` event is Redis's clock, after the commit). Call `start` before
 * the load and `measure` once it drained.
 */
export function endToEndProbe({ name, redisUrl, databaseUrl, schema }) {
  const events = new QueueEvents(name, { connection: { url: redisUrl }, prefix: name });
  const completedAt = new Map();
  events.on('completed', ({ jobId }, id) => completedAt.set(jobId, Number(id.split('-')[0])));
  return {
    start: () => events.waitUntilReady(),
    /** Figures for the callbacks received in `from`…`until` (ms), once `expected` jobs completed or 5 s passed. */
    async measure({ from, until }, expected) {
      // The completed events trail the queue's counts by a moment.
      for (const deadline = Date.now() + 5000; completedAt.size < expected && Date.now() < deadline; ) {
        await delay(20);
      }
      return latencies(databaseUrl, schema, completedAt, from, until);
    },
    close: () => events.close(),
  };
}

/** Percentiles of received → applied (Postgres's clock) and received → completed (Redis's), in ms. */
async function latencies(databaseUrl, schema, completedAt, from, until) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT count(*)::int AS applied,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY applied) AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY applied) AS p99,
              max(applied) AS max,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY completed) AS "completedP50",
              percentile_cont(0.99) WITHIN GROUP (ORDER BY completed) AS "completedP99",
              max(completed) AS "completedMax"
         FROM (SELECT extract(epoch FROM a.applied_at - a.received_at) * 1000 AS applied,
                      c.at - extract(epoch FROM a.received_at) * 1000 AS completed
                 FROM "${schema}".applied_events a
                 LEFT JOIN unnest($1::text[], $2::float8[]) AS c(id, at) ON c.id = a.event_id
                WHERE a.received_at >= to_timestamp($3 / 1000.0)
                  AND a.received_at < to_timestamp($4 / 1000.0)) AS t`,
      [[...completedAt.keys()], [...completedAt.values()], from, until],
    );
    const [r] = rows;
    return Object.fromEntries(Object.entries(r).map(([key, value]) => [key, key === 'applied' ? value : round(value)]));
  } finally {
    await client.end();
  }
}
