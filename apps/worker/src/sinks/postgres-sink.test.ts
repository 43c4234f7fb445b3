import { EventRefusedError, type ProjectionWriter } from '@openim-sync/projection';
import { describe, expect, it } from 'vitest';
import { toPostgresSink } from './postgres-sink.js';
import { PermanentSinkError } from './sink.js';

const event = { id: 'e1', command: 'test', operationID: 'op', receivedAt: 1, payload: {} } as const;

function sinkFailingWith(err: Error) {
  const writer: ProjectionWriter = { apply: () => Promise.reject(err), close: async () => {} };
  return toPostgresSink(writer);
}

describe('postgres sink', () => {
  it('fails an event Postgres refused for good at once, keeping the cause', async () => {
    const refused = new EventRefusedError('refused for good (SQLSTATE 54000, program limit exceeded): too long');
    const error = await sinkFailingWith(refused)
      .apply({ ...event, event: { type: 'group.member.quit', groupID: 'g', userID: 'u' } })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PermanentSinkError);
    expect((error as Error).message).toBe(refused.message);
    expect((error as Error).cause).toBe(refused);
  });

  it('passes any other failure on as it is, to be retried', async () => {
    const lost = new Error('Connection terminated unexpectedly');
    await expect(
      sinkFailingWith(lost).apply({ ...event, event: { type: 'group.member.quit', groupID: 'g', userID: 'u' } }),
    ).rejects.toBe(lost);
  });
});
