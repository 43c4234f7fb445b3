import { setTimeout as delay } from 'node:timers/promises';
import {
  checkEffects,
  createWorkload,
  expectAllAcked,
  Ledger,
  loadResults,
  retryReasons,
  type Stack,
  type StackOptions,
  sendLoad,
  startFaultStack,
  startTcpProxy,
  type TcpProxy,
  testServices,
  waitForDrain,
  writeResults,
} from '@openim-sync/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';

const OUTAGE_MS = 4000;

interface Outage {
  down(stack: Stack): void;
  up(stack: Stack): void;
}

describe('sink outage: jobs retry with backoff and all complete once the sink is back', () => {
  let stack: Stack | undefined;
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    await stack?.close();
    await proxy?.close();
    stack = undefined;
    proxy = undefined;
  });

  /** Sends a workload, takes the sink down for OUTAGE_MS while jobs flow, and checks the end state. */
  async function run(name: string, options: StackOptions, outage: Outage) {
    const started = Date.now();
    const workload = createWorkload(56, 38);
    const s = await startFaultStack(options);
    stack = s;
    const [ingress] = await Promise.all([s.startIngress(), s.startWorker(), s.startWorker()]);
    const ledger = new Ledger();
    const load = sendLoad(workload.groups, ledger, { target: () => ingress.url, concurrency: 16, ratePerSecond: 170 });
    await vi.waitFor(() => expect(ledger.count('acked')).toBeGreaterThan(workload.all.length / 4), {
      timeout: 60_000,
      interval: 20,
    });
    const downAt = Date.now();
    outage.down(s);
    await delay(OUTAGE_MS); // the outage itself: jobs keep arriving and failing meanwhile
    outage.up(s);
    const outageMs = Date.now() - downAt;
    // The same worker processes ride out the outage: a sink failure is a retry, never a crash.
    const crashed = s.workers.filter((w) => !w.running()).map((w) => w.output.slice(-8).join('\n'));
    expect(crashed, 'workers that died during the outage').toEqual([]);
    await load;
    const sendMs = Date.now() - started;
    const drainMs = await waitForDrain(s, ledger);
    const effects = await checkEffects(s, workload, ledger);

    expectAllAcked(ledger, workload);
    const reasons = retryReasons(s);
    const failedAttempts = Object.values(reasons).reduce((a, b) => a + b, 0);
    expect(failedAttempts, 'failed attempts during the outage').toBeGreaterThan(0);
    expect(effects.retriedJobs, 'completed jobs with attemptsMade > 1').toBeGreaterThan(0);
    return {
      ...loadResults(ledger, workload),
      outageMs,
      failedAttempts,
      failedAttemptReasons: reasons,
      ...effects,
      sendMs,
      drainAfterLastAckMs: drainMs,
      durationMs: Date.now() - started,
      name,
    };
  }

  it('Postgres unreachable (connections cut, new ones closed) for 4 s', { timeout: 150_000 }, async () => {
    const p = await startTcpProxy(testServices().databaseUrl);
    proxy = p;
    const result = await run(
      'sink-outage-postgres',
      { label: 'pg_outage', workerDatabaseUrl: p.url },
      { down: () => p.down(), up: () => p.up() },
    );
    expect(p.cut, 'connections cut or refused by the proxy').toBeGreaterThan(0);
    expect(Object.keys(result.failedAttemptReasons).some((r) => r.startsWith('postgres sink:'))).toBe(true);
    writeResults(result.name, { ...result, connectionsCut: p.cut });
  });

  it('the forward target answers 500 for 4 s', { timeout: 150_000 }, async () => {
    const result = await run(
      'sink-outage-forward',
      { label: 'fwd_outage' },
      {
        down: (s) => {
          s.receiver.answer = () => 500;
        },
        up: (s) => {
          s.receiver.answer = () => 200;
        },
      },
    );
    const answered500 = stack?.receiver.deliveries.filter((d) => d.status === 500).length ?? 0;
    expect(answered500).toBeGreaterThan(0);
    expect(result.failedAttemptReasons['http sink: forward target answered N']).toBeGreaterThan(0);
    writeResults(result.name, { ...result, deliveriesAnswered500: answered500 });
  });
});
