import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './process.js';
import { type Stack, type StackOptions, startStack } from './stack.js';

/**
 * A stack set for faults: two workers share the load, a job outlives many
 * short faults, and every finished job is kept for the checks.
 */
export function startFaultStack(options: StackOptions): Promise<Stack> {
  return startStack({
    ...options,
    env: {
      // 20 attempts, waits doubling from 200 ms up to 10 s (~2.5 min in all): short faults end well within it.
      RETRY_SCHEDULE: doublingSchedule(200, 19),
      // Keep every finished job: the checks read attemptsMade of each.
      KEEP_COMPLETED_COUNT: '1000000',
      // A killed worker's unmoved inbox entries go to another worker after 2 s, not 15.
      INBOX_CLAIM_IDLE_MS: '2000',
      ...options.env,
    },
    workerEnv: {
      DATABASE_POOL_SIZE: '4',
      WORKER_CONCURRENCY: '8',
      // A killed worker's jobs come back within seconds.
      LOCK_DURATION_MS: '2000',
      STALLED_INTERVAL_MS: '1000',
      MAX_STALLED_COUNT: '20',
      SHUTDOWN_TIMEOUT_MS: '10000',
      ...options.workerEnv,
    },
  });
}

/** RETRY_SCHEDULE of `retries` waits doubling from `firstMs`, capped at 10 s. */
export function doublingSchedule(firstMs: number, retries: number, capMs = 10_000): string {
  return Array.from({ length: retries }, (_, i) => Math.min(firstMs * 2 ** i, capMs)).join(',');
}

/** Writes a test's measured counts to test-results/faults/<name>.json. */
export function writeResults(name: string, data: Record<string, unknown>): void {
  const dir = join(repoRoot, 'test-results', 'faults');
  mkdirSync(dir, { recursive: true });
  const machine = { cpus: availableParallelism(), node: process.version, platform: process.platform };
  const body = { test: name, date: new Date().toISOString(), machine, ...data };
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(body, null, 2)}\n`);
}
