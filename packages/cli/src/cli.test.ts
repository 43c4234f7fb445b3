import { describe, expect, it } from 'vitest';
import { commands, runCli } from './cli.js';
import { createCapture } from './output.js';

/** Runs the tool against a Redis that is not there: usage errors must come before any connection. */
async function run(...argv: string[]) {
  const stdout = createCapture();
  const stderr = createCapture();
  const code = await runCli({ argv, env: { REDIS_URL: 'redis://127.0.0.1:1' }, stdout, stderr, connectTimeoutMs: 50 });
  return { code, out: stdout.text(), err: stderr.text() };
}

describe('help', () => {
  it('lists every verb and the environment with --help, and exits 0', async () => {
    const { code, out, err } = await run('--help');
    expect(code).toBe(0);
    expect(err).toBe('');
    for (const command of commands) expect(out).toMatch(new RegExp(`^  ${command.name} `, 'm'));
    expect(out).toContain('REDIS_URL');
  });

  it('prints the help on stderr and exits 2 without a verb', async () => {
    const { code, out, err } = await run();
    expect([code, out]).toEqual([2, '']);
    expect(err).toContain('Usage: jobs <command>');
  });

  it('prints the help on stderr and exits 2 for help on an unknown command', async () => {
    const { code, out, err } = await run('help', 'bogus');
    expect([code, out]).toEqual([2, '']);
    expect(err).toContain('Usage: jobs <command>');
  });

  it.each(commands.map((command) => command.name))('has --help for "%s"', async (name) => {
    for (const flag of ['--help', '-h']) {
      const { code, out } = await run(name, flag);
      expect(code).toBe(0);
      expect(out).toMatch(new RegExp(`^Usage: jobs ${name}`));
    }
    expect((await run('help', name)).out).toMatch(new RegExp(`^Usage: jobs ${name}`));
  });

  it('explains the replay id trade-off and what "paused" means', async () => {
    expect((await run('replay', '--help')).out).toContain('r-<original id>-<time of the replay>');
    expect((await run('counts', '--help')).out).toContain('BullMQ 6 has no paused job state');
  });
});

describe('usage errors exit 2 with one clear line', () => {
  it.each([
    [['bogus'], 'jobs: unknown command "bogus" (run "jobs --help" for the list)'],
    [['failed', '--bogus'], 'jobs failed: unknown option "--bogus"'],
    [['failed', '--lmit', '3'], 'jobs failed: unknown option "--lmit", did you mean --limit?'],
    [['--json', 'counts'], 'jobs: unknown option "--json" (run "jobs --help" for the list)'],
    [['cuonts'], 'jobs: unknown command "cuonts", did you mean counts?'],
    [['retry', '--all', '--dry-run=1'], 'jobs retry: --dry-run takes no value'],
    [['failed', '--since', 'banana'], 'jobs failed: --since "banana": expected a duration'],
    [['failed', '--limit', '-1'], 'jobs failed: --limit "-1": expected a positive whole number'],
    [['failed', '--limit=0'], 'jobs failed: --limit "0"'],
    [['failed', '--limit'], 'jobs failed: --limit needs a value'],
    [['failed', '--json=yes'], 'jobs failed: --json takes no value'],
    [['failed', '--command', 'callbackNopeCommand'], 'not a known OpenIM callback command'],
    [['counts', 'extra'], 'jobs counts: unexpected argument "extra"'],
    [['show'], 'jobs show: give the id of a job'],
    [['show', 'a', 'b'], 'jobs show: one id at a time'],
    [['retry'], 'jobs retry: give the ids of failed jobs, or --all'],
    [['retry', 'a', '--all'], 'give job ids or --all, not both'],
    [['retry', 'a', '--group', 'g'], 'filters (--command, --group, --user, --since, --limit) need --all'],
    [['retry', '--all', '--since', '2026-13-01'], '--since "2026-13-01"'],
    [['remove', '--all'], 'jobs remove: refusing to remove failed jobs in bulk without --yes'],
    [['remove', '--all', '--command', 'callbackAfterQuitGroupCommand'], 'without --yes'],
    [['replay'], 'jobs replay: --since is required'],
    [['replay', '--since', '1x'], '--since "1x"'],
    [['pause', 'now'], 'jobs pause: unexpected argument "now"'],
    [['inbox', '1-0'], 'jobs inbox: unexpected argument "1-0" (entry ids go with --redrive)'],
    [['inbox', '--all'], 'jobs inbox: --all goes with --redrive'],
    [['inbox', '--limit', '0'], 'jobs inbox: --limit "0": expected a positive whole number'],
    [['inbox', '--redrive'], 'jobs inbox: give the ids of rejected entries, or --all'],
    [['inbox', '--redrive', '1-0', '--all'], 'give entry ids or --all, not both'],
    [['inbox', '--redrive', '--all', '--json'], 'jobs inbox: --json is for the listing, not --redrive'],
    [['inbox', '--redrive', 'h-abc'], 'jobs inbox: "h-abc" is not an entry id'],
  ])('%j', async (argv, message) => {
    const { code, out, err } = await run(...argv);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(message);
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    expect(err).not.toContain('cannot reach Redis');
  });
});

describe('errors before running a verb exit 1', () => {
  it('reports a bad environment naming the variable', async () => {
    const stderr = createCapture();
    const code = await runCli({
      argv: ['counts'],
      env: { REDIS_URL: 'http://nope', QUEUE_NAME: 'a:b' },
      stdout: createCapture(),
      stderr,
    });
    expect(code).toBe(1);
    expect(stderr.text()).toContain('REDIS_URL');
    expect(stderr.text()).toContain('QUEUE_NAME');
  });

  it('reports an unreachable Redis (password redacted) within the connect timeout', async () => {
    const stderr = createCapture();
    const started = Date.now();
    const code = await runCli({
      argv: ['counts'],
      env: { REDIS_URL: 'redis://:secret@127.0.0.1:1' },
      stdout: createCapture(),
      stderr,
      connectTimeoutMs: 1000,
    });
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(stderr.text()).toMatch(/^jobs: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1\/?: /);
    expect(stderr.text()).not.toContain('secret');
  });
});
