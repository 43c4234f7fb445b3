import { inboxKeys, keepRejected } from '@openim-sync/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands, createCapture, runCli } from '../src/index.js';
import { createQueueFixture, type QueueFixture } from './queue-fixture.js';
import { type ReconcileServices, startReconcileServices } from './reconcile-services.js';

const JOIN = 'callbackAfterJoinGroupCommand';
const QUIT = 'callbackAfterQuitGroupCommand';

let fixture: QueueFixture;
let reconcile: ReconcileServices;
let env: Record<string, string>;
const ids: Record<string, string> = {};

beforeAll(async () => {
  fixture = await createQueueFixture('cli_json');
  ids.f1 = await fixture.add(JOIN);
  ids.f2 = await fixture.add(JOIN);
  ids.f3 = await fixture.add(QUIT);
  ids.f4 = await fixture.add('callbackAfterTransferGroupOwnerCommand');
  ids.done = await fixture.add(JOIN);
  await fixture.process((id) => id !== ids.done);
  ids.op = (await fixture.queue.getJob(ids.f1))?.data.operationID as string;
  const record = { command: QUIT, operationID: 'op-r', receivedAt: 1_764_064_800_000, body: Buffer.from('{}\n') };
  const keys = inboxKeys(fixture.settings);
  ids.r1 = (await keepRejected(fixture.redis, keys, { count: 10, age: 0 }, 'groupID: Required', record)) as string;
  await keepRejected(fixture.redis, keys, { count: 10, age: 0 }, 'groupID: Required', record);

  reconcile = await startReconcileServices('cli_json');
  reconcile.fake.group('g1', [{ userID: 'o', roleLevel: 100, joinTime: Date.now() - 60_000 }]);
  env = { ...fixture.env, ...reconcile.env };
});

afterAll(async () => {
  await fixture?.close();
  await reconcile?.close();
});

/**
 * Every verb with --json, in each of its forms (dry runs included), in an
 * order that leaves each run something to act on: the ids are filled in by
 * beforeAll.
 */
const runs: Array<[verb: string, argv: () => string[]]> = [
  ['counts', () => []],
  ['failed', () => []],
  ['failed', () => ['--command', JOIN, '--limit', '1']],
  ['show', () => [ids.f1 as string]],
  ['find', () => [ids.op as string]],
  ['remove', () => [ids.f2 as string, '--dry-run']],
  ['remove', () => ['--all', '--dry-run']],
  ['remove', () => [ids.f2 as string]],
  ['remove', () => ['--all', '--command', QUIT, '--yes']],
  ['retry', () => [ids.f1 as string, '--dry-run']],
  ['retry', () => ['--all', '--dry-run']],
  ['retry', () => [ids.f1 as string]],
  ['retry', () => ['--all']],
  ['replay', () => ['--since', '1h', '--dry-run']],
  ['replay', () => ['--since', '1h']],
  ['inbox', () => []],
  ['inbox', () => ['--redrive', '--all', '--dry-run']],
  ['inbox', () => ['--redrive', ids.r1 as string, '--dry-run']],
  ['inbox', () => ['--redrive', ids.r1 as string]],
  ['inbox', () => ['--redrive', '--all']],
  ['pause', () => []],
  ['resume', () => []],
  ['reconcile', () => ['--all', '--dry-run']],
  ['reconcile', () => ['--group', 'g1']],
];

describe('--json', () => {
  it('is tried here on every verb', () => {
    expect(new Set(runs.map(([verb]) => verb))).toEqual(new Set(commands.map((command) => command.name)));
  });

  it('prints JSON objects only, one per line, in every form of every verb', async () => {
    for (const [verb, argv] of runs) {
      const args = ['jobs', verb, ...argv(), '--json'];
      const stdout = createCapture();
      const stderr = createCapture();
      const code = await runCli({ argv: args, env, stdout, stderr });
      const label = args.join(' ');
      expect([code, stderr.text()], label).toEqual([0, '']);
      const lines = stdout.text().split('\n');
      expect(lines.pop(), label).toBe('');
      expect(lines.length, label).toBeGreaterThan(0);
      for (const line of lines) expect(JSON.parse(line), `${label}: ${line}`).toBeTypeOf('object');
    }
  });

  it('says what became of each job, entry or group', async () => {
    const outcomes = async (...argv: string[]) => {
      const stdout = createCapture();
      await runCli({ argv: ['jobs', ...argv, '--json'], env, stdout, stderr: createCapture() });
      return stdout.lines().map((line) => JSON.parse(line));
    };
    expect(await outcomes('retry', 'h-nope', ids.done as string)).toEqual([
      { id: 'h-nope', outcome: 'unknown' },
      { id: ids.done, outcome: 'skipped', state: 'completed' },
    ]);
    expect(await outcomes('pause')).toEqual([{ queue: fixture.settings.name, paused: true }]);
    expect(await outcomes('resume')).toEqual([{ queue: fixture.settings.name, paused: false }]);
    expect(await outcomes('replay', '--since', '1h', '--dry-run', '--limit', '1')).toEqual([
      expect.objectContaining({ command: expect.any(String), outcome: 'would-replay' }),
    ]);
  });
});
