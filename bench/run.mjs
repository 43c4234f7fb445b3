// pnpm bench: measures the pipeline against its own limits on this machine.
// Every figure is measured in the same run as its baseline (so ratios hold on
// a noisy machine), as the median of several rounds. Prints a table and
// writes bench/results/<date>.json. Needs the built apps (pnpm bench builds).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { postgresSpec, redisSpec, resolveService } from '@openim-sync/testing/services';
import { benchIngress } from './lib/ingress.mjs';
import { benchMemory } from './lib/memory.mjs';
import { printTable } from './lib/report.mjs';
import { benchEndToEnd, benchWorkers } from './lib/worker.mjs';

const settings = {
  roundSec: Number(process.env.BENCH_ROUND_SEC ?? 4),
  rounds: Number(process.env.BENCH_ROUNDS ?? 3),
  drainJobs: Number(process.env.BENCH_DRAIN_JOBS ?? 5_000),
  soakSec: Number(process.env.BENCH_SOAK_SEC ?? 120),
  only: process.env.BENCH_ONLY?.split(',') ?? ['ingress', 'worker', 'e2e', 'memory'],
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
try {
  if (settings.only.includes('ingress')) results.ingress = await benchIngress({ ...env, body, bodyFile, settings });
  if (settings.only.includes('worker')) results.worker = await benchWorkers({ ...env, settings });
  if (settings.only.includes('e2e')) results.endToEnd = await benchEndToEnd({ ...env, body, settings });
  if (settings.only.includes('memory')) results.memory = await benchMemory({ ...env, body, settings });
} finally {
  await Promise.all([redis.stop?.(), postgres.stop?.()]);
}
results.durationSec = Math.round((Date.now() - started) / 1000);

printTable(results);
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
const file = new URL(`results/${results.date.slice(0, 10)}.json`, import.meta.url);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwritten to bench/results/${results.date.slice(0, 10)}.json in ${results.durationSec} s`);
process.exit(0);
