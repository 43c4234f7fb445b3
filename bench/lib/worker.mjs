// Worker drain rates against a bare BullMQ worker in the same run, and the
// end-to-end latency (received at the ingress → applied in Postgres).
import pg from 'pg';
import { benchSettings, openQueue, prefill } from './jobs.mjs';
import { load } from './load.mjs';
import { forkScript, freePort, memoryOf, startApp } from './proc.mjs';
import { deleteQueueKeys } from './redis.mjs';
import { round } from './stats.mjs';

const VARIANTS = [
  ['bare', [8, 64]],
  ['noop', [8, 64]],
  ['postgres', [16, 64]],
  ['http', [16, 64]],
];

export async function benchWorkers({ redisUrl, databaseUrl, settings }) {
  // BENCH_WORKER_VARIANTS=postgres: only those variants (and the scaling runs only with postgres).
  const only = process.env.BENCH_WORKER_VARIANTS?.split(',');
  const variants = VARIANTS.filter(([variant]) => !only || only.includes(variant));
  const receiverPort = await freePort();
  const receiver = forkScript('./servers.mjs', ['receiver'], { PORT: receiverPort });
  await receiver.firstMessage;
  const results = {};
  try {
    for (const [variant, concurrencies] of variants) {
      for (const concurrency of concurrencies) {
        const run = await drain({
          variant,
          concurrency,
          redisUrl,
          databaseUrl,
          receiverPort,
          jobs: settings.drainJobs,
        });
        results[`${variant}@${concurrency}`] = run;
      }
    }
  } finally {
    await receiver.stop();
  }
  // Scaling: the postgres sink with one worker process, then two (WORKER_CONCURRENCY 32 each).
  const scale = (processes) =>
    drain({
      variant: 'postgres',
      concurrency: 32,
      processes,
      redisUrl,
      databaseUrl,
      receiverPort,
      jobs: settings.drainJobs,
    });
  const scaling =
    only && !only.includes('postgres') ? undefined : { oneProcess: await scale(1), twoProcesses: await scale(2) };
  const ratio = (a, b) => results[a] && results[b] && round(results[a].jobsPerSecond / results[b].jobsPerSecond, 3);
  return {
    drains: results,
    scaling,
    ratios: { noopVsBare8: ratio('noop@8', 'bare@8'), noopVsBare64: ratio('noop@64', 'bare@64') },
  };
}

async function drain({ variant, concurrency, processes = 1, redisUrl, databaseUrl, receiverPort, jobs }) {
  const name = `bench-drain-${variant}-${concurrency}-${processes}-${process.pid}`;
  const settings = benchSettings(redisUrl, name);
  const queue = openQueue(settings);
  const schema = name.replaceAll('-', '_');
  const env = { REDIS_URL: redisUrl, QUEUE_NAME: name, QUEUE_PREFIX: name, WORKER_CONCURRENCY: concurrency };
  const workers = [];
  try {
    await queue.pause();
    await prefill(queue, settings, jobs);
    if (variant === 'bare') {
      const worker = forkScript('./bare-worker.mjs', [], env);
      workers.push(worker);
      await worker.firstMessage;
    } else {
      const sinkEnv = {
        noop: { SINKS: 'noop' },
        postgres: { SINKS: 'postgres', DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema },
        http: { SINKS: 'http', FORWARD_URL: `http://127.0.0.1:${receiverPort}/events` },
      }[variant];
      for (let i = 0; i < processes; i++)
        workers.push(await startApp('worker', { ...env, ...sinkEnv }, /worker started/));
    }
    const started = performance.now();
    await queue.resume();
    await waitDrained(queue);
    const seconds = (performance.now() - started) / 1000;
    const failed = await queue.getFailedCount();
    return {
      jobsPerSecond: round(jobs / seconds),
      seconds: round(seconds, 2),
      failed,
      peakRssMiB: round(Math.max(...workers.map((w) => memoryOf(w.child.pid).peakMiB))),
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await queue.close();
    await deleteQueueKeys(redisUrl, name, name);
    if (variant === 'postgres') await dropSchema(databaseUrl, schema);
  }
}

export async function waitDrained(queue) {
  for (;;) {
    const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children');
    if (Object.values(counts).every((n) => n === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function dropSchema(databaseUrl, schema) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Ingress + postgres worker at a moderate offered rate; latency from Postgres's own clock. */
export async function benchEndToEnd({ redisUrl, databaseUrl, body, settings, rate = 200 }) {
  const name = `bench-e2e-${process.pid}`;
  const schema = name.replaceAll('-', '_');
  const port = await freePort();
  const env = { REDIS_URL: redisUrl, QUEUE_NAME: name, QUEUE_PREFIX: name };
  const worker = await startApp(
    'worker',
    { ...env, DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema },
    /worker started/,
  );
  const ingress = await startApp('ingress', { ...env, PORT: port, HOST: '127.0.0.1' }, /ingress listening/);
  const queue = openQueue(benchSettings(redisUrl, name));
  try {
    const offered = await load({
      url: `http://127.0.0.1:${port}/callback/callbackAfterJoinGroupCommand`,
      body,
      durationSec: settings.roundSec * 2,
      vary: true,
      connections: 20,
      rate,
    });
    await waitDrained(queue);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query(`
      SELECT count(*)::int AS applied,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
             percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
             max(ms) AS max
        FROM (SELECT extract(epoch FROM applied_at - received_at) * 1000 AS ms FROM "${schema}".applied_events) AS t`);
    await client.end();
    const [r] = rows;
    return {
      rate,
      acked: offered.ok,
      applied: r.applied,
      p50: round(r.p50),
      p99: round(r.p99),
      max: round(r.max),
      ackP99: offered.p99,
    };
  } finally {
    await Promise.all([ingress.stop(), worker.stop()]);
    await queue.close();
    await deleteQueueKeys(redisUrl, name, name);
    await dropSchema(databaseUrl, schema);
  }
}
