import { readFixture } from '@openim-sync/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanJobs } from '../src/scan.js';
import { createQueueFixture, cutoff, type QueueFixture } from './queue-fixture.js';

describe('jobs counts, failed and show', () => {
  let fixture: QueueFixture;
  const ids = { join: '', kick: '', quit: '', transfer: '', create: '', setInfo: '' };
  let since = '';

  beforeAll(async () => {
    fixture = await createQueueFixture('cli_inspect');
    ids.join = await fixture.add('callbackAfterJoinGroupCommand'); // group 3027412834, user 6960562805
    ids.kick = await fixture.add('callbackAfterKickGroupCommand'); // group 3027412834, users 5412398475 7731220964
    ids.quit = await fixture.add('callbackAfterQuitGroupCommand'); // group 3027412834, user 6960562805
    ids.transfer = await fixture.add('callbackAfterTransferGroupOwnerCommand'); // group 2818437296, 1695766238 → 6960562805
    ids.create = await fixture.add('callbackAfterCreateGroupCommand'); // group 2818437296
    const failing = new Set([ids.kick, ids.quit, ids.transfer]);
    await fixture.process((id) => failing.has(id));
    since = await cutoff();
    ids.setInfo = await fixture.add('callbackAfterSetGroupMemberInfoCommand'); // group 2818437296, user 5412398475
    await fixture.process((id) => id === ids.setInfo);
  });

  afterAll(async () => {
    await fixture.close();
  });

  it('counts jobs per state, says whether the queue is paused, and counts the inbox', async () => {
    const table = await fixture.jobs(['counts']);
    expect(table.code).toBe(0);
    expect(table.lines).toEqual([
      'waiting         0',
      'active          0',
      'delayed         0',
      'completed       2',
      'failed          4',
      'paused          no',
      'inbox           0',
      'inbox rejected  0',
    ]);
    const json = await fixture.jobs(['counts', '--json']);
    expect(JSON.parse(json.out)).toEqual({
      waiting: 0,
      active: 0,
      delayed: 0,
      completed: 2,
      failed: 4,
      paused: false,
      inbox: 0,
      inboxRejected: 0,
    });
  });

  it('lists failed jobs newest first in a table', async () => {
    const { code, lines, err } = await fixture.jobs(['failed']);
    expect([code, err]).toEqual([0, '']);
    expect(lines[0]).toMatch(/^ID +COMMAND +GROUP +USER +ATTEMPTS +FAILED REASON +FAILED AT$/);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${ids.setInfo} +callbackAfterSetGroupMemberInfoCommand +2818437296 +5412398475 +1/3 +postgres sink: refused`,
      ),
    );
    expect(lines.find((line) => line.startsWith(ids.kick))).toMatch(/ 3027412834 +5412398475,7731220964 +1\/3 /);
    expect(lines.join('\n')).not.toContain(ids.join);
  });

  it('prints one JSON object per failed job with --json', async () => {
    const jobs = await fixture.failed();
    expect(jobs.map((job) => job.id).sort()).toEqual([ids.kick, ids.quit, ids.transfer, ids.setInfo].sort());
    expect(jobs.find((job) => job.id === ids.quit)).toMatchObject({
      command: 'callbackAfterQuitGroupCommand',
      operationID: expect.stringMatching(/^op-/),
      group: '3027412834',
      users: ['6960562805'],
      attemptsMade: 1,
      attemptsAllowed: 3,
      failedReason: 'postgres sink: refused callbackAfterQuitGroupCommand (test)',
      failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
    });
  });

  it('filters by command (aliases too), group, user, time and count', async () => {
    const idsOf = async (...filters: string[]) => (await fixture.failed(...filters)).map((job) => job.id).sort();
    expect(await idsOf('--command', 'callbackAfterQuitGroupCommand')).toEqual([ids.quit]);
    expect(await idsOf('--command', 'callbackQuitGroupCommand')).toEqual([ids.quit]);
    expect(await idsOf('--group', '2818437296')).toEqual([ids.transfer, ids.setInfo].sort());
    expect(await idsOf('--user', '6960562805')).toEqual([ids.quit, ids.transfer].sort());
    expect(await idsOf('--user', '7731220964')).toEqual([ids.kick]);
    expect(await idsOf('--group', '3027412834', '--user', '5412398475')).toEqual([ids.kick]);
    expect(await idsOf('--since', since)).toEqual([ids.setInfo]);
    expect(await idsOf('--since', '1h')).toHaveLength(4);
    const limited = await fixture.failed('--limit', '2');
    expect(limited).toHaveLength(2);
    expect(limited[0]?.id).toBe(ids.setInfo);
  });

  it('reads the failed set page by page, newest first, without repeats', async () => {
    const scanned = async (filter: Parameters<typeof scanJobs>[2]) => {
      const found: string[] = [];
      for await (const job of scanJobs(fixture.queue, 'failed', filter, 2)) found.push(job.id as string);
      return found;
    };
    const all = await scanned({});
    expect(all).toHaveLength(4);
    expect(new Set(all).size).toBe(4);
    expect(all[0]).toBe(ids.setInfo);
    expect(await scanned({ limit: 3 })).toEqual(all.slice(0, 3));
    expect(await scanned({ since: Date.parse(since) })).toEqual([ids.setInfo]);
  });

  it('prints nothing at all when no failed job matches', async () => {
    expect(await fixture.jobs(['failed', '--json', '--user', 'nobody'])).toMatchObject({ code: 0, out: '', err: '' });
    expect(await fixture.jobs(['failed', '--user', 'nobody'])).toMatchObject({
      code: 0,
      out: '',
      err: 'no failed jobs match\n',
    });
  });

  it('shows everything about a failed job', async () => {
    const text = await fixture.jobs(['show', ids.kick]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(new RegExp(`^id +${ids.kick}$`, 'm'));
    expect(text.out).toMatch(/^state +failed$/m);
    expect(text.out).toMatch(/^attempts +1 of 3$/m);
    expect(text.out).toContain('errors (1, oldest first)');
    expect(text.out).toContain('UnrecoverableError: postgres sink: refused callbackAfterKickGroupCommand (test)');

    const json = await fixture.jobs(['show', ids.kick, '--json']);
    const details = JSON.parse(json.out);
    expect(details).toMatchObject({
      id: ids.kick,
      command: 'callbackAfterKickGroupCommand',
      state: 'failed',
      event: { type: 'group.members.kicked', groupID: '3027412834', userIDs: ['5412398475', '7731220964'] },
      payload: JSON.parse(readFixture('callbackAfterKickGroupCommand').toString('utf8')),
      attemptsMade: 1,
      attemptsAllowed: 3,
      failedReason: 'postgres sink: refused callbackAfterKickGroupCommand (test)',
    });
    expect(details.errors).toHaveLength(1);
    expect(details.errors[0]).toMatch(/\n +at /); // a stack trace
    for (const key of ['receivedAt', 'createdAt', 'processedAt', 'finishedAt']) {
      expect(details[key]).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
  });

  it('shows a completed job with what the sinks returned', async () => {
    const details = JSON.parse((await fixture.jobs(['show', ids.join, '--json'])).out);
    expect(details).toMatchObject({
      state: 'completed',
      failedReason: null,
      errors: [],
      returnvalue: { log: 'applied' },
    });
  });

  it('exits 1 for an unknown id and 2 for a bad filter, with one line on stderr', async () => {
    expect(await fixture.jobs(['show', 'h-nope'])).toEqual({
      code: 1,
      out: '',
      err: 'openim-sync jobs show: no job with id "h-nope"\n',
      lines: [],
    });
    const bad = await fixture.jobs(['failed', '--since', 'banana']);
    expect([bad.code, bad.out]).toEqual([2, '']);
    expect(bad.err).toMatch(/^openim-sync jobs failed: --since "banana": expected a duration.*\n$/);
  });
});
