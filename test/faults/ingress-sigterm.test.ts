import { Agent, request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { inboxKeys } from '@openim-sync/queue';
import {
  type Callback,
  checkEffects,
  createWorkload,
  type Ingress,
  Ledger,
  loadResults,
  retryReasons,
  type SendRecord,
  type Stack,
  sendLoad,
  startFaultStack,
  waitForDrain,
  writeResults,
} from '@openim-sync/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';

const HELD = 12;

describe('ingress SIGTERM under load', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('drains in-flight requests, exits 0 and loses no acknowledged callback', { timeout: 150_000 }, async () => {
    const started = Date.now();
    const workload = createWorkload(56, 38);
    const s = await startFaultStack({ label: 'ingress_sigterm' });
    stack = s;
    const [first, second] = await Promise.all([s.startIngress(), s.startIngress(), s.startWorker(), s.startWorker()]);
    const a = first as Ingress;
    const b = second as Ingress;
    // 48 senders on kept-alive connections go to the first ingress until it refuses a
    // connection or is gone (a load balancer would then take it out), then to the second.
    let aGone = false;
    const ledger = new Ledger((r) => {
      if (r.target === a.url && r.outcome === 'refused') aGone = true;
    });
    const load = sendLoad(workload.groups.slice(HELD), ledger, {
      target: () => (aGone || !a.process.running() ? b.url : a.url),
      concurrency: 48,
    });
    await vi.waitFor(() => expect(ledger.count('acked')).toBeGreaterThan(workload.all.length / 4), {
      timeout: 60_000,
      interval: 10,
    });

    // Requests the first ingress has certainly begun (it answered "100 Continue" to their
    // headers) but whose bodies arrive only after SIGTERM: the drain must wait for them.
    const held = await Promise.all(workload.groups.slice(0, HELD).map((g) => holdRequest(a.url, g[0], false)));
    const signalledAt = Date.now();
    const exit = a.process.stop('SIGTERM');
    await a.process.waitForLine(/"msg":"shutting down"/);
    const heldRecords = await Promise.all(held.map((h) => h.finish()));
    for (const record of heldRecords) ledger.add(record);
    const exitCode = await exit;
    const exitedAt = Date.now();
    // The rest of the held groups, now to the second ingress.
    const rest = workload.groups.slice(0, HELD).map((group) => group.slice(1));
    await sendLoad(rest, ledger, { target: () => b.url, concurrency: HELD });
    await load;
    const sendMs = Date.now() - started;
    const drainMs = await waitForDrain(s, ledger);
    const effects = await checkEffects(s, workload, ledger);

    expect(heldRecords.map((r) => r.outcome)).toEqual(heldRecords.map(() => 'acked'));
    expect(exitCode, a.process.output.slice(-5).join('\n')).toBe(0);
    expect(a.process.output.join('\n')).toContain('shutdown complete');
    const summary = ledger.summary();
    expect({ unavailable: summary.unavailable, hung: summary.hung, rejected: summary.rejected }).toEqual({
      unavailable: 0,
      hung: 0,
      rejected: 0,
    });
    // Connection errors only come from the first ingress going away: none before it was told to.
    // (A request already on the wire on an idle kept-alive connection when the server closes
    // it is cut: OpenIM would drop that callback, which was never acknowledged.)
    const refused = ledger.records.filter((r) => r.outcome === 'refused');
    expect(refused.filter((r) => r.target !== a.url || r.endedAt < signalledAt).map(describeRecord)).toEqual([]);
    const byA = ledger.records.filter((r) => r.target === a.url && r.outcome === 'acked');
    const byB = ledger.records.filter((r) => r.target === b.url && r.outcome === 'acked');
    expect(byB.length).toBeGreaterThan(workload.all.length / 4);

    writeResults('ingress-sigterm', {
      ...loadResults(ledger, workload),
      inFlightAtSigtermHeld: HELD,
      heldAcked: heldRecords.filter((r) => r.outcome === 'acked').length,
      ackedByFirstIngress: byA.length,
      ackedByFirstIngressAfterSigterm: byA.filter((r) => r.endedAt >= signalledAt).length,
      ackedBySecondIngress: byB.length,
      refusedCodes: countBy(refused.map((r) => r.detail ?? '')),
      refusedStartedBeforeSigterm: refused.filter((r) => r.startedAt < signalledAt).length,
      sigtermToExitMs: exitedAt - signalledAt,
      exitCode,
      retryReasons: retryReasons(s),
      ...effects,
      sendMs,
      drainAfterLastAckMs: drainMs,
      durationMs: Date.now() - started,
    });
  });

  it('stops well before its deadline while a sender keeps its connection busy', { timeout: 60_000 }, async () => {
    const s = await startFaultStack({ label: 'ingress_keepalive' });
    stack = s;
    const ingress = await s.startIngress(); // no workers: what was acknowledged stays in Redis, to be counted
    const callbacks = createWorkload(4, 30).all;
    // One kept-alive connection, as Go's http.Client keeps it: busy with a callback at SIGTERM,
    // then used for the next callback every 50 ms.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const records: SendRecord[] = [];
    try {
      const held = await holdRequest(ingress.url, callbacks[0], agent);
      const signalledAt = Date.now();
      const exit = ingress.process.stop('SIGTERM');
      await ingress.process.waitForLine(/"msg":"shutting down"/);
      records.push(await held.finish());
      for (const callback of callbacks.slice(1)) {
        if (!ingress.process.running()) break;
        records.push(await (await holdRequest(ingress.url, callback, agent)).finish());
        await delay(50); // the sender's pace
      }
      const exitCode = await exit;
      const exitMs = Date.now() - signalledAt;
      const outcomes = countBy(records.map((r) => `${r.outcome} ${r.detail?.startsWith('{') ? '' : r.detail}`));
      // No worker moves the inbox here: what was acknowledged is still in it.
      const jobs =
        ((await s.queue.getJobCounts('wait')).wait ?? 0) + (await s.connection.xlen(inboxKeys(s.names).stream));
      writeResults('ingress-sigterm-keepalive', { exitCode, sigtermToExitMs: exitMs, outcomes, jobs });

      // SHUTDOWN_TIMEOUT_MS is 10 s: a drain that waits for an idle connection never ends
      // while OpenIM keeps sending, and the process is then cut off with exit code 1.
      expect({ exitCode, exitedWithin3s: exitMs < 3000 }, JSON.stringify(outcomes)).toEqual({
        exitCode: 0,
        exitedWithin3s: true,
      });
      expect(records[0]?.outcome).toBe('acked');
      expect(jobs).toBe(records.filter((r) => r.outcome === 'acked').length);
    } finally {
      agent.destroy();
    }
  });
});

interface HeldRequest {
  /** Sends the body and resolves with what became of the callback. */
  finish(): Promise<SendRecord>;
}

/**
 * Starts a callback with `Expect: 100-continue` and resolves once the server
 * answered "100 Continue", i.e. it has parsed the headers and is waiting for
 * the body: the request is in flight on the server. A connection error
 * before that resolves too: `finish()` then reports it as refused.
 */
function holdRequest(origin: string, callback: Callback | undefined, agent: Agent | false): Promise<HeldRequest> {
  if (!callback) throw new Error('no callback');
  const startedAt = Date.now();
  const base = { callback, target: origin, startedAt };
  return new Promise((resolveHeld) => {
    const req = request(`${origin}${callback.path}`, {
      method: 'POST',
      agent,
      headers: {
        operationID: callback.operationID,
        'content-type': 'application/json; charset=utf-8',
        'content-length': callback.body.length,
        expect: '100-continue',
      },
    });
    const answer = new Promise<SendRecord>((resolve) => {
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const acked = res.statusCode === 200 && JSON.parse(text).errCode === 0;
          const outcome = acked ? 'acked' : 'rejected';
          resolve({ ...base, outcome, status: res.statusCode, detail: text, endedAt: Date.now() });
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        resolve({ ...base, outcome: 'refused', detail: err.code ?? err.message, endedAt: Date.now() });
        resolveHeld({ finish: () => answer });
      });
    });
    req.on('continue', () =>
      resolveHeld({
        finish: () => {
          req.end(callback.body);
          return answer;
        },
      }),
    );
    req.flushHeaders();
  });
}

function describeRecord(r: SendRecord): string {
  return `${r.target} ${r.callback.operationID} at +${r.startedAt}: ${r.detail}`;
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
