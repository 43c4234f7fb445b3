// pnpm bench: measures the pipeline against its own limits on this machine.
// Every figure is measured in the same run as its baseline (so ratios hold on
// a noisy machine), as the median of several rounds. Prints a table and
// writes bench/results/<date>.json. Needs the built apps (pnpm bench builds).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { postgresSpec, redisSpec, resolveService } from '@openim-sync/testing/services';
import { benchIngress } from './lib/ingress.mjs';
import { benchRedisBytes, startSoak } from './lib/memory.mjs';
import { printTable } from './lib/report.mjs';
import { benchScaling } from './lib/scaling.mjs';
import { readTargets } from './lib/targets.mjs';
import { benchWorkers } from './lib/worker.mjs';

// --quick (pnpm bench:quick): one round and a 30 s soak, for a look in about a minute.
const quick = process.argv.includes('--quick');
const settings = {
  roundSec: Number(process.env.BENCH_ROUND_SEC ?? 2),
  rounds: Number(process.env.BENCH_ROUNDS ?? (quick ? 1 : 3)),
  // The noop and the bare worker side by side, for the target's ratio (see worker.mjs).
  ratioRounds: Number(process.env.BENCH_RATIO_ROUNDS ?? (quick ? 1 : 5)),
  ratioJobs: Number(process.env.BENCH_RATIO_JOBS ?? 4_000),
  drainJobs: Number(process.env.BENCH_DRAIN_JOBS ?? 3_000),
  soakSec: Number(process.env.BENCH_SOAK_SEC ?? (quick ? 30 : 120)),
  // Everything else runs alongside the soak (below): 50 req/s is 6,000 callbacks in its two
  // minutes, at half the background of 100 req/s (docs/PERFORMANCE.md has the measurements).
  soakRate: Number(process.env.BENCH_SOAK_RATE ?? 50),
  // The soak's ingress and worker run at this nice value, below the parts alongside (memory.mjs).
  soakNice: Number(process.env.BENCH_SOAK_NICE ?? 10),
  // The soak (in `memory`) also measures the end-to-end latency. `scaling` (1 and 2
  // processes of each app) runs only when asked for: BENCH_ONLY=scaling, pnpm bench:scaling.
  only: process.env.BENCH_ONLY?.split(',') ?? ['ingress', 'worker', 'memory'],
};
const [redis, postgres] = await Promise.all([resolveService(redisSpec), resolveService(postgresSpec)]);
const env = { redisUrl: redis.url, databaseUrl: postgres.url };
const bodyFile = fileURLToPath(
  new URL('../packages/schema/fixtures/callbackAfterJoinGroupCommand.json', import.meta.url),
);
const body = readFileSync(bodyFile);

const started = Date.now();
const results = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  settings,
};
// Seconds each part took, so the run's length can be traced.
results.partSec = {};
const part = async (name, run) => {
  const t0 = Date.now();
  const result = await run();
  results.partSec[name] = Math.round((Date.now() - t0) / 1000);
  return result;
};
const wanted = (name) => settings.only.includes(name);
try {
  if (wanted('memory')) {
    // First, while nothing else of this run writes to Redis.
    results.memory = await part('redisBytes', () => benchRedisBytes(env));
  }
  // The soak's two minutes hold the rest of the run: the ingress part and the worker drains run
  // alongside it, each figure against its baseline in the same rounds; then the soak measures the
  // end-to-end latency in a quiet window of its own (see memory.mjs).
  const soak = wanted('memory') ? startSoak({ ...env, bodyFile, settings }) : undefined;
  const soakStarted = Date.now();
  let soaked;
  try {
    if (soak) results.memory.soakAlongside = ['ingress', 'worker'].filter(wanted);
    if (wanted('ingress')) results.ingress = await part('ingress', () => benchIngress({ ...env, body, settings }));
    if (wanted('worker')) results.worker = await part('worker', () => benchWorkers({ ...env, settings }));
  } finally {
    // Even when a part failed, the soak ends (and removes its queue and schema) before the run does.
    soak?.release();
    [soaked] = await Promise.allSettled(soak ? [soak.result] : []);
  }
  if (soaked?.status === 'rejected') throw soaked.reason;
  if (soaked) {
    results.memory.soak = soaked.value;
    results.partSec.soak = Math.round((Date.now() - soakStarted) / 1000);
  }
  if (wanted('scaling'))
    results.scaling = await part('scaling', () => benchScaling({ ...env, body, bodyFile, settings }));
} finally {
  await Promise.all([redis.stop?.(), postgres.stop?.()]);
}
results.durationSec = Math.round((Date.now() - started) / 1000);
results.targets = readTargets(results);

printTable(results);
// A full run is the day's file; a quick or partial run goes next to it, never over it.
const partial = [quick && 'quick', process.env.BENCH_ONLY && settings.only.join('+')].filter(Boolean);
const name = [results.date.slice(0, 10), ...partial].join('-');
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`results/${name}.json`, import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwritten to bench/results/${name}.json in ${results.durationSec} s (${JSON.stringify(results.partSec)})`);
process.exit(0);
