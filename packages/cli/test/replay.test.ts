import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createQueueFixture, cutoff, type QueueFixture } from './queue-fixture.js';

describe('jobs replay', () => {
  let fixture: QueueFixture;
  beforeEach(async () => {
    fixture = await createQueueFixture('cli_replay');
  });
  afterEach(async () => {
    await fixture.close();
  });

  /** One job completed before the cutoff, two completed after it and one failed after it. */
  async function setUp() {
    const before = await fixture.add('callbackAfterJoinGroupCommand');
    await fixture.process();
    const since = await cutoff();
    const quit = await fixture.add('callbackAfterQuitGroupCommand');
    const transfer = await fixture.add('callbackAfterTransferGroupOwnerCommand');
    const failed = await fixture.add('callbackAfterKickGroupCommand');
    await fixture.process((id) => id === failed);
    return { before, since, quit, transfer, failed };
  }

  it('lists the completed jobs it would replay with --dry-run, and enqueues nothing', async () => {
    const { since, quit, transfer } = await setUp();
    const result = await fixture.jobs(['replay', '--since', since, '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.lines[0]).toMatch(/^ID +COMMAND +GROUP +USER +RECEIVED AT +COMPLETED AT$/);
    expect(
      result.lines
        .slice(1, -1)
        .map((line) => line.split(' ')[0])
        .sort(),
    ).toEqual([quit, transfer].sort());
    expect(result.lines.at(-1)).toBe('would replay 2 completed jobs');
    expect(await fixture.queue.getWaitingCount()).toBe(0);
  });

  it('enqueues completed jobs again under new ids with the same data, once per event', async () => {
    const { since, quit, transfer } = await setUp();
    const result = await fixture.jobs(['replay', '--since', since]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^replayed 2 completed jobs as r-<original id>-\d+\n$/);

    const waiting = await fixture.queue.getWaiting();
    expect(waiting.map((job) => job.id?.replace(/-\d+$/, '')).sort()).toEqual([`r-${quit}`, `r-${transfer}`].sort());
    for (const replay of waiting) {
      const original = await fixture.queue.getJob(replay.id?.replace(/^r-|-\d+$/g, '') as string);
      expect(replay.name).toBe(original?.name);
      expect(replay.data).toEqual(original?.data); // receivedAt included: the projection's order
      expect(replay.opts).toMatchObject({ attempts: 3, backoff: { type: 'jittered' } });
    }
    await fixture.process();
    expect(await fixture.queue.getCompletedCount()).toBe(5);

    // The originals and their replays are both in retention now; each event goes once.
    const again = await fixture.jobs(['replay', '--since', since, '--dry-run']);
    expect(again.lines.at(-1)).toBe('would replay 2 completed jobs');
    expect(again.lines.slice(1, -1).every((line) => line.startsWith('r-'))).toBe(true);
  });

  it('applies filters and --limit', async () => {
    const { since, quit } = await setUp();
    const result = await fixture.jobs(['replay', '--since', since, '--user', '6960562805', '--group', '3027412834']);
    expect(result.out).toMatch(/^replayed 1 completed job /);
    expect((await fixture.queue.getWaiting()).map((job) => job.id)).toEqual([expect.stringMatching(`^r-${quit}-`)]);
    const limited = await fixture.jobs(['replay', '--since', '1h', '--limit', '1', '--dry-run']);
    expect(limited.lines.at(-1)).toBe('would replay 1 completed job');
  });

  it('needs --since', async () => {
    const result = await fixture.jobs(['replay']);
    expect([result.code, result.out]).toEqual([2, '']);
    expect(result.err).toContain('--since is required');
  });
});
