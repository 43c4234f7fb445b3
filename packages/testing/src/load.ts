import { setTimeout as delay } from 'node:timers/promises';
import type { Callback } from './workload.js';

/**
 * What became of one callback, as OpenIM would see it:
 * - acked: 200 with the five-field ack (Redis accepted the job);
 * - unavailable: 503 with the five-field error (OpenIM drops it);
 * - refused: no HTTP answer at all (connection refused or cut);
 * - hung: no answer within the client's timeout (a defect);
 * - rejected: any other answer (a defect in these tests: every callback is valid).
 */
export type Outcome = 'acked' | 'unavailable' | 'refused' | 'hung' | 'rejected';

export interface SendRecord {
  callback: Callback;
  outcome: Outcome;
  status?: number;
  /** errMsg of an error answer, or the connection error's code. */
  detail?: string;
  /** Origin the request went to. */
  target: string;
  /** Wall-clock ms (Date.now()) when the request started and when its outcome was known. */
  startedAt: number;
  endedAt: number;
}

const ACK = { actionCode: 0, errCode: 0, errMsg: '', errDlt: '', nextCode: 0 };
const FIELDS = Object.keys(ACK).sort().join();

/** Every callback sent so far and what became of it. */
export class Ledger {
  readonly records: SendRecord[] = [];

  /** `onAdd` sees each record as it comes (a test can react to a refusal, as a load balancer would). */
  constructor(private readonly onAdd: (record: SendRecord) => void = () => {}) {}

  add(record: SendRecord): void {
    this.records.push(record);
    this.onAdd(record);
  }

  count(outcome: Outcome): number {
    return this.records.filter((r) => r.outcome === outcome).length;
  }

  acked(): Callback[] {
    return this.records.filter((r) => r.outcome === 'acked').map((r) => r.callback);
  }

  /** The first few records with this outcome, for assertion messages. */
  examples(outcome: Outcome, limit = 5): string[] {
    return this.records
      .filter((r) => r.outcome === outcome)
      .slice(0, limit)
      .map((r) => `${r.callback.path} ${r.callback.operationID}: ${r.status ?? '-'} ${r.detail ?? ''}`);
  }

  /** Time from request to ack (ms) over every acked callback: median, 99th percentile, max. */
  ackLatency(): { p50: number; p99: number; max: number } {
    const ms = this.records
      .filter((r) => r.outcome === 'acked')
      .map((r) => r.endedAt - r.startedAt)
      .sort((a, b) => a - b);
    const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0;
    return { p50: at(0.5), p99: at(0.99), max: at(1) };
  }

  /** Counts per outcome. */
  summary(): Record<Outcome, number> {
    const outcomes: Outcome[] = ['acked', 'unavailable', 'refused', 'hung', 'rejected'];
    return Object.fromEntries(outcomes.map((o) => [o, this.count(o)])) as Record<Outcome, number>;
  }
}

export interface LoadOptions {
  /** Origin of the ingress for the next request (read per request, so a test can switch ingresses). */
  target: () => string;
  /** Groups sent at once (in-flight requests); each group's callbacks go strictly one after another. */
  concurrency: number;
  /** Cap on requests per second over all lanes, to spread the load over the fault. */
  ratePerSecond?: number;
  /** A request unanswered after this long counts as hung. */
  timeoutMs?: number;
}

/**
 * Sends every group's callbacks over real HTTP, as OpenIM does: one try
 * each, whatever the answer (a refused callback is simply gone). The next
 * callback of a group starts in a later millisecond than the previous one's
 * answer, so receive times follow send order even across ingress processes.
 */
export async function sendLoad(groups: Callback[][], ledger: Ledger, options: LoadOptions): Promise<void> {
  const interval = options.ratePerSecond ? 1000 / options.ratePerSecond : 0;
  let nextSlot = 0;
  let nextGroup = 0;
  const lane = async () => {
    while (nextGroup < groups.length) {
      for (const callback of groups[nextGroup++] as Callback[]) {
        if (interval > 0) {
          const now = performance.now();
          const at = Math.max(nextSlot, now);
          nextSlot = at + interval;
          if (at > now) await delay(at - now);
        }
        ledger.add(await sendOne(options.target(), callback, options.timeoutMs ?? 10_000));
        const answeredAt = Date.now();
        while (Date.now() <= answeredAt) await delay(1);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
}

/** One callback as OpenIM v3.7+ posts it. */
export async function sendOne(origin: string, callback: Callback, timeoutMs: number): Promise<SendRecord> {
  const startedAt = Date.now();
  const base = { callback, target: origin, startedAt };
  try {
    const response = await fetch(`${origin}${callback.path}`, {
      method: 'POST',
      headers: {
        operationID: callback.operationID,
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Go-http-client/1.1',
      },
      body: callback.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    return { ...base, ...classify(response.status, text), status: response.status, endedAt: Date.now() };
  } catch (err) {
    const error = err as Error & { cause?: { code?: string; message?: string } };
    const hung = error.name === 'TimeoutError';
    const detail = hung ? `no answer in ${timeoutMs} ms` : (error.cause?.code ?? error.cause?.message ?? error.message);
    return { ...base, outcome: hung ? 'hung' : 'refused', detail, endedAt: Date.now() };
  }
}

function classify(status: number, text: string): { outcome: Outcome; detail?: string } {
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    return { outcome: 'rejected', detail: `not JSON: ${text.slice(0, 100)}` };
  }
  const fiveFields = Object.keys(body ?? {})
    .sort()
    .join();
  if (status === 200 && JSON.stringify(body) === JSON.stringify(ACK)) return { outcome: 'acked' };
  if (status === 503 && fiveFields === FIELDS && body?.errCode === 503) {
    return { outcome: 'unavailable', detail: String(body.errMsg) };
  }
  return { outcome: 'rejected', detail: text.slice(0, 200) };
}
