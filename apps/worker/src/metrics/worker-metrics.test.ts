import { EventEmitter } from 'node:events';
import type { CallbackJobData } from '@openim-sync/queue';
import { type Job, UnrecoverableError } from 'bullmq';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PermanentSinkError, type Sink } from '../sinks/index.js';
import { createWorkerMetrics } from './worker-metrics.js';

const event = {
  id: 'h-1',
  command: 'callbackAfterQuitGroupCommand',
  operationID: 'op',
  receivedAt: 0,
  event: { type: 'group.member.quit', groupID: 'g', userID: 'u' },
  payload: {},
} as const;

function job(fields: Partial<Job<CallbackJobData>> = {}): Job<CallbackJobData> {
  return {
    id: 'h-1',
    name: 'callbackQuitGroupCommand',
    data: { receivedAt: Date.now() - 1500 },
    attemptsMade: 1,
    opts: { attempts: 3 },
    ...fields,
  } as unknown as Job<CallbackJobData>;
}

function setup() {
  const registry = new Registry();
  const metrics = createWorkerMetrics({ registry, processMetrics: false });
  const sample = async (series: string) => {
    const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  return { metrics, sample };
}

const sink = (name: string, apply: Sink['apply']): Sink => ({ name, apply, close: async () => {} });

describe('worker metrics', () => {
  it('counts each sink’s outcome, errors included, and passes results and errors through', async () => {
    const { metrics, sample } = setup();
    const permanent = new PermanentSinkError('answered 400');
    const calls = { postgres: 0, http: 0 };
    const [postgres, http] = metrics.instrumentSinks([
      sink('postgres', async () => (calls.postgres++ === 0 ? 'applied' : 'already-applied')),
      sink('http', async () => {
        throw calls.http++ === 0 ? new Error('timeout') : permanent;
      }),
    ]);
    expect(await postgres!.apply(event)).toBe('applied');
    expect(await postgres!.apply(event)).toBe('already-applied');
    await expect(http!.apply(event)).rejects.toThrow('timeout');
    await expect(http!.apply(event)).rejects.toBe(permanent);
    const series = (s: string, outcome: string) =>
      `openim_sync_worker_sink_events_total{sink="${s}",command="callbackAfterQuitGroupCommand",outcome="${outcome}"}`;
    expect(await sample(series('postgres', 'applied'))).toBe(1);
    expect(await sample(series('postgres', 'already-applied'))).toBe(1);
    expect(await sample(series('http', 'error'))).toBe(1);
    expect(await sample(series('http', 'permanent-error'))).toBe(1);
    expect(http!.name).toBe('http');
  });

  it('times attempts and observes the end-to-end latency of applied jobs only', async () => {
    const { metrics, sample } = setup();
    const ok = metrics.instrumentProcessor(async () => ({ log: 'logged' }));
    const failing = metrics.instrumentProcessor(async () => {
      throw new Error('down');
    });
    expect(await ok(job())).toEqual({ log: 'logged' });
    await expect(failing(job())).rejects.toThrow('down');
    const command = 'command="callbackAfterQuitGroupCommand"';
    expect(await sample(`openim_sync_worker_job_duration_seconds_count{${command},result="ok"}`)).toBe(1);
    expect(await sample(`openim_sync_worker_job_duration_seconds_count{${command},result="error"}`)).toBe(1);
    expect(await sample(`openim_sync_worker_end_to_end_seconds_count{${command}}`)).toBe(1);
    const seconds = await sample(`openim_sync_worker_end_to_end_seconds_sum{${command}}`);
    expect(seconds).toBeGreaterThanOrEqual(1.5);
    expect(seconds).toBeLessThan(60);
    expect(await sample(`openim_sync_worker_end_to_end_seconds_bucket{le="1",${command}}`)).toBe(0);
    expect(await sample(`openim_sync_worker_end_to_end_seconds_bucket{le="2.5",${command}}`)).toBe(1);
  });

  it('counts completed, retried and failed jobs as BullMQ reports them, unknown names bounded', async () => {
    const { metrics, sample } = setup();
    const worker = new EventEmitter();
    metrics.observeJobs(worker);
    worker.emit('completed', job());
    worker.emit('failed', job({ attemptsMade: 1 }), new Error('timeout'));
    worker.emit('failed', job({ attemptsMade: 3 }), new Error('timeout'));
    worker.emit('failed', job({ attemptsMade: 1 }), new UnrecoverableError('bad payload'));
    worker.emit('failed', job({ name: 'madeUpCommand', attemptsMade: 3 }), new Error('x'));
    worker.emit('failed', undefined, new Error('no job'));
    const jobs = (outcome: string, command = 'callbackAfterQuitGroupCommand') =>
      sample(`openim_sync_worker_jobs_total{command="${command}",outcome="${outcome}"}`);
    expect(await jobs('completed')).toBe(1);
    expect(await jobs('retried')).toBe(1);
    expect(await jobs('failed')).toBe(2);
    expect(await jobs('failed', 'unknown')).toBe(1);
  });
});
