import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createQueueFixture, type QueueFixture } from './queue-fixture.js';

/** Three failed jobs (two in group 3027412834, one in 2818437296) and one completed job. */
async function withFailedJobs(fixture: QueueFixture) {
  const ids = {
    kick: await fixture.add('callbackAfterKickGroupCommand'),
    quit: await fixture.add('callbackAfterQuitGroupCommand'),
    transfer: await fixture.add('callbackAfterTransferGroupOwnerCommand'),
    join: await fixture.add('callbackAfterJoinGroupCommand'),
  };
  await fixture.process((id) => id !== ids.join);
  return ids;
}

describe('jobs retry', () => {
  let fixture: QueueFixture;
  beforeEach(async () => {
    fixture = await createQueueFixture('cli_retry');
  });
  afterEach(async () => {
    await fixture.close();
  });

  it('redrives one job by id; the job completes when a worker runs again', async () => {
    const ids = await withFailedJobs(fixture);
    const result = await fixture.jobs(['retry', ids.kick, ids.join, 'h-nope']);
    expect(result.code).toBe(1); // the unknown id
    expect(result.lines).toEqual([`retried ${ids.kick}`, 'retried 1, skipped 1 (not failed), errors 1']);
    expect(result.err).toBe(`${ids.join}: not failed (completed), skipped\nh-nope: no job with this id\n`);
    expect(await fixture.queue.getJobState(ids.kick)).toBe('waiting');

    await fixture.process();
    const job = await fixture.queue.getJob(ids.kick);
    expect(await job?.getState()).toBe('completed');
    expect(job?.attemptsMade).toBe(1); // a fresh set of attempts, not the one left over
    expect(job?.stacktrace).toHaveLength(1); // the earlier error is kept
    expect(await fixture.queue.getJobState(ids.quit)).toBe('failed');
  });

  it('lists what --all would retry with --dry-run, and changes nothing', async () => {
    const ids = await withFailedJobs(fixture);
    const result = await fixture.jobs(['retry', '--all', '--group', '3027412834', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.lines[0]).toMatch(/^ID +COMMAND/);
    expect(
      result.lines
        .slice(1, -1)
        .map((line) => line.split(' ')[0])
        .sort(),
    ).toEqual([ids.kick, ids.quit].sort());
    expect(result.lines.at(-1)).toBe('would retry 2, skipped 0 (not failed), errors 0');
    expect(await fixture.queue.getJobCounts('failed', 'waiting')).toEqual({ failed: 3, waiting: 0 });
  });

  it('redrives every matching failed job with --all, with progress on a terminal', async () => {
    const ids = await withFailedJobs(fixture);
    const some = await fixture.jobs(['retry', '--all', '--command', 'callbackAfterTransferGroupOwnerCommand']);
    expect([some.code, some.out, some.err]).toEqual([0, 'retried 1, skipped 0 (not failed), errors 0\n', '']);
    expect(await fixture.queue.getJobState(ids.transfer)).toBe('waiting');

    const all = await fixture.jobs(['retry', '--all'], { tty: true });
    expect([all.code, all.out]).toEqual([0, 'retried 2, skipped 0 (not failed), errors 0\n']);
    expect(all.err).toContain('\r\x1b[Kretried 2/2');
    expect(all.err.endsWith('\r\x1b[K')).toBe(true); // the progress line is erased before the summary

    await fixture.process();
    expect(await fixture.queue.getJobCounts('failed', 'completed')).toEqual({ failed: 0, completed: 4 });
  });
});

describe('jobs remove', () => {
  let fixture: QueueFixture;
  beforeEach(async () => {
    fixture = await createQueueFixture('cli_remove');
  });
  afterEach(async () => {
    await fixture.close();
  });

  it('deletes failed jobs by id and leaves other states alone', async () => {
    const ids = await withFailedJobs(fixture);
    const result = await fixture.jobs(['remove', ids.quit, ids.join]);
    expect([result.code, result.lines]).toEqual([
      0,
      [`removed ${ids.quit}`, 'removed 1, skipped 1 (not failed), errors 0'],
    ]);
    expect(await fixture.queue.getJob(ids.quit)).toBeUndefined();
    expect(await fixture.queue.getJobState(ids.join)).toBe('completed');
    expect((await fixture.jobs(['remove', ids.quit])).code).toBe(1); // gone now
  });

  it('refuses a bulk delete without --yes and does it with --yes', async () => {
    const ids = await withFailedJobs(fixture);
    const refused = await fixture.jobs(['remove', '--all', '--group', '3027412834']);
    expect([refused.code, refused.out]).toEqual([2, '']);
    expect(refused.err).toContain('refusing to remove failed jobs in bulk without --yes');
    expect(await fixture.queue.getFailedCount()).toBe(3);

    const dry = await fixture.jobs(['remove', '--all', '--group', '3027412834', '--dry-run']);
    expect(dry.lines.at(-1)).toBe('would remove 2, skipped 0 (not failed), errors 0');
    expect(await fixture.queue.getFailedCount()).toBe(3);

    const done = await fixture.jobs(['remove', '--all', '--group', '3027412834', '--yes']);
    expect([done.code, done.out]).toEqual([0, 'removed 2, skipped 0 (not failed), errors 0\n']);
    expect((await fixture.failed()).map((job) => job.id)).toEqual([ids.transfer]);
  });
});

describe('jobs pause and resume', () => {
  it('pause and resume the queue for every worker', async () => {
    const fixture = await createQueueFixture('cli_pause');
    try {
      expect(await fixture.jobs(['pause'])).toMatchObject({ code: 0, out: `paused queue ${fixture.settings.name}\n` });
      expect(await fixture.queue.isPaused()).toBe(true);
      expect((await fixture.jobs(['pause'])).code).toBe(0); // harmless twice
      const id = await fixture.add('callbackAfterJoinGroupCommand'); // the ingress keeps enqueueing
      const paused = await fixture.jobs(['counts']);
      expect(paused.lines.filter((line) => /^(waiting|paused) /.test(line))).toEqual([
        'waiting         1',
        'paused          yes',
      ]);

      expect(await fixture.jobs(['resume'])).toMatchObject({
        code: 0,
        out: `resumed queue ${fixture.settings.name}\n`,
      });
      expect(await fixture.queue.isPaused()).toBe(false);
      expect(JSON.parse((await fixture.jobs(['counts', '--json'])).out).paused).toBe(false);
      await fixture.process();
      expect(await fixture.queue.getJobState(id)).toBe('completed');
    } finally {
      await fixture.close();
    }
  });
});
