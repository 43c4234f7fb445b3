import type { CallbackJobData } from '@openim-sync/queue';
import { createLogger } from '@openim-sync/runtime';
import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createCircuitBreaker, createSinkBreakers, SinkCircuitOpenError } from './circuit-breaker.js';
import { createProcessor } from './processor.js';
import { PermanentSinkError, RetryableSinkError, type Sink } from './sinks/index.js';

function setup(threshold = 3, cooldownMs = 10_000) {
  let now = 1_000_000;
  const events: string[] = [];
  const breaker = createCircuitBreaker(
    { threshold, cooldownMs },
    {
      onOpen: (waitMs, failures) => events.push(`open ${waitMs} after ${failures}`),
      onClose: (openForMs) => events.push(`close after ${openForMs}`),
    },
    () => now,
  );
  return {
    breaker,
    events,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('circuit breaker', () => {
  it('opens after `threshold` retryable failures in a row, not before', () => {
    const { breaker, events } = setup();
    breaker.failure();
    breaker.failure();
    expect(breaker.admit()).toEqual({ allowed: true, probe: false });
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.admit()).toEqual({ allowed: false, waitMs: 10_000 });
    expect(events).toEqual(['open 10000 after 3']);
  });

  it('counts failures in a row only: a success in between starts again', () => {
    const { breaker } = setup();
    breaker.failure();
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();
    expect(breaker.state).toBe('closed');
  });

  it('lets one probe through after the cool-down and holds the others back meanwhile', () => {
    const { breaker, advance } = setup();
    for (let i = 0; i < 3; i++) breaker.failure();
    advance(4000);
    expect(breaker.admit()).toEqual({ allowed: false, waitMs: 6000 });
    advance(6000);
    expect(breaker.admit()).toEqual({ allowed: true, probe: true });
    expect(breaker.state).toBe('half-open');
    expect(breaker.admit()).toEqual({ allowed: false, waitMs: 1000 });
  });

  it('sends another probe when the first never answers within a cool-down', () => {
    const { breaker, advance } = setup();
    for (let i = 0; i < 3; i++) breaker.failure();
    advance(10_000);
    expect(breaker.admit()).toEqual({ allowed: true, probe: true });
    advance(9_999);
    expect(breaker.admit()).toEqual({ allowed: false, waitMs: 1000 });
    advance(1);
    expect(breaker.admit()).toEqual({ allowed: true, probe: true });
    expect(breaker.admit()).toEqual({ allowed: false, waitMs: 1000 });
  });

  it('closes when the probe succeeds', () => {
    const { breaker, events, advance } = setup();
    for (let i = 0; i < 3; i++) breaker.failure();
    advance(10_000);
    breaker.admit();
    advance(50);
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.admit()).toEqual({ allowed: true, probe: false });
    expect(events).toEqual(['open 10000 after 3', 'close after 10050']);
  });

  it('opens for another cool-down when the probe fails', () => {
    const { breaker, events, advance } = setup();
    for (let i = 0; i < 3; i++) breaker.failure();
    advance(10_000);
    breaker.admit();
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.admit()).toEqual({ allowed: false, waitMs: 10_000 });
    expect(events).toEqual(['open 10000 after 3', 'open 10000 after 0']);
  });

  it('waits as long as the sink asks (Retry-After), at most an hour', () => {
    const { breaker, advance } = setup();
    breaker.failure();
    breaker.failure();
    breaker.failure(120_000);
    expect(breaker.admit()).toEqual({ allowed: false, waitMs: 120_000 });
    advance(120_000);
    breaker.admit();
    breaker.failure(10 * 3600_000);
    expect(breaker.admit()).toEqual({ allowed: false, waitMs: 3600_000 });
  });

  it('ignores failures of calls that began before it opened', () => {
    const { breaker, events } = setup();
    for (let i = 0; i < 6; i++) breaker.failure();
    expect(events).toEqual(['open 10000 after 3']);
  });
});

describe('processor with sink breakers', () => {
  const logger = createLogger({ name: 'test', level: 'silent' });
  const payload = { callbackCommand: 'callbackAfterQuitGroupCommand', groupID: 'g1', userID: 'u1' };
  const event = { type: 'group.member.quit', groupID: 'g1', userID: 'u1' };
  const job = {
    id: 'h-1',
    name: 'callbackAfterQuitGroupCommand',
    data: { receivedAt: 1, event, payload },
    attemptsMade: 0,
  };
  const run = (processor: ReturnType<typeof createProcessor>) => processor(job as unknown as Job<CallbackJobData>);

  function sinks(httpError: () => Error | undefined) {
    const calls = { postgres: 0, http: 0 };
    const list: Sink[] = [
      {
        name: 'postgres',
        apply: async () => (calls.postgres++ ? 'already-applied' : 'applied'),
        close: async () => {},
      },
      {
        name: 'http',
        async apply() {
          calls.http++;
          const error = httpError();
          if (error) throw error;
          return 'forwarded';
        },
        close: async () => {},
      },
    ];
    return { calls, list };
  }

  it('stops a job at the open sink, after the sinks before it, without calling it', async () => {
    const changes: string[] = [];
    const breakers = createSinkBreakers({
      sinks: ['postgres', 'http'],
      settings: { threshold: 2, cooldownMs: 30_000 },
      logger,
      onChange: (sink, open) => changes.push(`${sink} ${open ? 'open' : 'closed'}`),
    });
    const { calls, list } = sinks(() => new RetryableSinkError('forward target answered 503'));
    const processor = createProcessor({ sinks: list, logger, breakers });
    await expect(run(processor)).rejects.toThrow('http sink: forward target answered 503');
    await expect(run(processor)).rejects.toThrow('http sink: forward target answered 503');
    const held = await run(processor).catch((err: unknown) => err);
    expect(held).toBeInstanceOf(SinkCircuitOpenError);
    expect(held).toMatchObject({ sink: 'http', waitMs: expect.any(Number) });
    expect((held as SinkCircuitOpenError).waitMs).toBeGreaterThan(25_000);
    expect(calls).toEqual({ postgres: 3, http: 2 });
    expect(changes).toEqual(['postgres closed', 'http closed', 'http open']);
  });

  it('takes a permanent refusal as a working sink', async () => {
    const breakers = createSinkBreakers({
      sinks: ['postgres', 'http'],
      settings: { threshold: 2, cooldownMs: 30_000 },
      logger,
    });
    let n = 0;
    const { list } = sinks(() => (n++ % 2 ? new PermanentSinkError('answered 422') : new Error('socket hang up')));
    const processor = createProcessor({ sinks: list, logger, breakers });
    for (let i = 0; i < 6; i++) await expect(run(processor)).rejects.toThrow(/http sink/);
    expect(breakers.get('http')?.state).toBe('closed');
  });
});
