import { Writable } from 'node:stream';
import { createLogger } from '@openim-sync/runtime';
import { createCatalog } from '@openim-sync/schema';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from './app.js';
import type { Producer } from './producer.js';

const QUIT = 'callbackAfterQuitGroupCommand';

/** The app over a producer that takes everything, logging at `level` into an array. */
function setup(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ name: 'ingress', level, destination });
  const producer: Producer = {
    enqueue: async (data) => ({ ok: true, jobId: `h-${data.operationID}` }),
    keep: async () => ({ ok: true }),
    ready: async () => true,
  };
  const app = createApp({
    config: { basePath: '/callback', maxBodyBytes: 64 * 1024 },
    catalog: createCatalog(),
    producer,
    logger,
  });
  const post = (command: string, operationID: string) =>
    app.request(`/callback/${command}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Operationid: operationID },
      body: JSON.stringify({ callbackCommand: command, groupID: 'g1', userID: 'u1' }),
    });
  return { lines, logger, post };
}

describe('the log line of an accepted callback', () => {
  it('names the command, the operationID and the job id at debug', async () => {
    const { lines, post } = setup('debug');
    // An older spelling: the line names the canonical command the job carries.
    expect((await post('callbackQuitGroupCommand', 'op-7')).status).toBe(200);
    expect(lines.filter((line) => line.msg === 'callback accepted')).toEqual([
      expect.objectContaining({ level: 20, command: QUIT, operationID: 'op-7', jobId: 'h-op-7' }),
    ]);
  });

  it('costs nothing at info: no line and no call into the logger', async () => {
    const { lines, logger, post } = setup('info');
    const debug = vi.spyOn(logger, 'debug');
    expect((await post(QUIT, 'op-8')).status).toBe(200);
    expect(debug).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });
});
