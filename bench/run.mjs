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
import { benchWorkers, VARIANT_NAMES } from './lib/worker.mjs';

// --quick (pnpm bench:quick): one round and a 30 s soak, for a look in about a minute.
const quick = process.argv.includes('--quick');
const settings = {
  roundSec: Number(process.env.BENCH_ROUND_SEC ?? 2),
  rounds: Number(process.env.BENCH_ROUNDS ?? (quick ? 1 : 3)),
  // The drains that run alongside the soak take more rounds: they fit in its two minutes anyway.
  soakDrainRounds: Number(process.env.BENCH_SOAK_DRAIN_ROUNDS ?? (quick ? 1 : 5)),
  drainJobs: Number(process.env.BENCH_DRAIN_JOBS ?? 4_000),
  soakSec: Number(process.env.BENCH_SOAK_SEC ?? (quick ? 30 : 120)),
  soakRate: Number(process.env.BENCH_SOAK_RATE ?? 100),
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
// First, on an idle machine: the ingress part, whose every ack waits on Redis (the soak's
// background would slow it more than the bare servers it is compared with), and the postgres
// sink's drains (an absolute target). Then the soak: after its warm-up and a quiet window for the
// end-to-end latency, the other drains run alongside it, against the bare worker's, which shares
// Redis and the same background. BENCH_ONLY=ingress,worker runs every drain on an idle machine.
const IDLE_DRAINS = ['postgres', 'presence'];
try {
  if (wanted('memory')) {
    // First, while nothing else of this run writes to Redis.
    results.memory = await part('redisBytes', () => benchRedisBytes(env));
  }
  if (wanted('ingress')) results.ingress = await part('ingress', () => benchIngress({ ...env, body, settings }));
  const sinkDrains =
    wanted('worker') && (await part('workerPostgres', () => benchWorkers({ ...env, settings, among: IDLE_DRAINS })));
  const soak = wanted('memory') ? startSoak({ ...env, bodyFile, settings }) : undefined;
  const soakStarted = Date.now();
  let soaked;
  try {
    await soak?.quiet;
    if (wanted('worker')) {
      const among = VARIANT_NAMES.filter((v) => !IDLE_DRAINS.includes(v));
      if (soak) results.memory.soakAlongside = among;
      const rounds = soak ? settings.soakDrainRounds : settings.rounds;
      const drains = await part('workerDrains', () =>
        benchWorkers({ ...env, settings: { ...settings, rounds }, among }),
      );
      results.worker = { drains: { ...sinkDrains?.drains, ...drains?.drains }, ratios: drains?.ratios ?? {} };
    }
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

printTable(results);
// A full run is the day's file; a quick or partial run goes next to it, never over it.
const partial = [quick && 'quick', process.env.BENCH_ONLY && settings.only.join('+')].filter(Boolean);
const name = [results.date.slice(0, 10), ...partial].join('-');
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`results/${name}.json`, import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwritten to bench/results/${name}.json in ${results.durationSec} s (${JSON.stringify(results.partSec)})`);
process.exit(0);
