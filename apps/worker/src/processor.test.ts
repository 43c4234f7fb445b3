import type { CallbackJobData } from '@openim-sync/queue';
import { createLogger } from '@openim-sync/runtime';
import { type Job, UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createProcessor } from './processor.js';
import { PermanentSinkError, RetryableSinkError, type Sink, type SinkEvent } from './sinks/index.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const payload = { callbackCommand: 'callbackAfterQuitGroupCommand', groupID: 'g1', userID: 'u1', extra: null };
const event = { type: 'group.member.quit' as const, groupID: 'g1', userID: 'u1' };

function job(data: Partial<CallbackJobData>, name = 'callbackAfterQuitGroupCommand'): Job<CallbackJobData> {
  return { id: 'h-1', name, data, attemptsMade: 0 } as unknown as Job<CallbackJobData>;
}

function recordingSink(name: string, fail?: Error): Sink & { seen: SinkEvent[] } {
  const seen: SinkEvent[] = [];
  return {
    name,
    seen,
    async apply(item) {
      seen.push(item);
      if (fail) throw fail;
      return 'applied';
    },
    async close() {},
  };
}

describe('processor', () => {
  it("runs every sink in order with the job's event, checked once by the inbox mover", async () => {
    const a = recordingSink('a');
    const b = recordingSink('b');
    const result = await createProcessor({ sinks: [a, b], logger })(
      job({ command: 'callbackAfterQuitGroupCommand', operationID: 'op', receivedAt: 5, event, payload }),
    );
    expect(result).toEqual({ a: 'applied', b: 'applied' });
    expect(b.seen[0]).toEqual({
      id: 'h-1',
      command: 'callbackAfterQuitGroupCommand',
      operationID: 'op',
      receivedAt: 5,
      event: { type: 'group.member.quit', groupID: 'g1', userID: 'u1' },
      payload,
    });
  });

  it('fails a job without a checked event (hand-made, not moved from the inbox) without retries', async () => {
    const process = createProcessor({ sinks: [recordingSink('a')], logger });
    await expect(
      process(job({ operationID: 'op', receivedAt: 5, payload: { ...payload, userID: 3 } })),
    ).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(process(job({ operationID: 'op' }))).rejects.toThrow(/malformed job/);
  });

  it('turns a permanent sink error into an unrecoverable one, naming the sink', async () => {
    const refusal = new PermanentSinkError('answered 400');
    const process = createProcessor({ sinks: [recordingSink('http', refusal)], logger });
    const failure = process(job({ operationID: 'op', receivedAt: 5, event, payload }));
    await expect(failure).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(failure).rejects.toThrow('http sink: answered 400');
    await expect(failure).rejects.toMatchObject({ cause: refusal });
  });

  it('keeps a retryable error retryable, its Retry-After and the sink’s stack (the failed set keeps no cause)', async () => {
    const busy = new RetryableSinkError('answered 503', 7000);
    const process = createProcessor({ sinks: [recordingSink('http', busy)], logger });
    const failure = await process(job({ operationID: 'op', receivedAt: 5, event, payload })).catch((err: Error) => err);
    expect(failure).toBeInstanceOf(RetryableSinkError);
    expect(failure).toMatchObject({ message: 'http sink: answered 503', retryAfterMs: 7000, cause: busy });
    expect(failure.stack).toContain(`caused by: ${busy.stack}`);
  });

  it('lets other sink errors through for a retry, and stops at the first failing sink', async () => {
    const later = recordingSink('later');
    const process = createProcessor({
      sinks: [recordingSink('postgres', new Error('connection refused')), later],
      logger,
    });
    const failure = process(job({ operationID: 'op', receivedAt: 5, event, payload }));
    await expect(failure).rejects.not.toBeInstanceOf(UnrecoverableError);
    await expect(failure).rejects.toThrow('postgres sink: connection refused');
    await expect(failure).rejects.toMatchObject({ cause: { message: 'connection refused' } });
    expect(later.seen).toHaveLength(0);
  });
});
