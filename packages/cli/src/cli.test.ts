import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commands, runCli } from './cli.js';
import { createCapture } from './output.js';

/** Runs `openim-sync …` against a Redis that is not there: usage errors must come before any connection. */
async function tool(...argv: string[]) {
  const stdout = createCapture();
  const stderr = createCapture();
  const code = await runCli({ argv, env: { REDIS_URL: 'redis://127.0.0.1:1' }, stdout, stderr, connectTimeoutMs: 50 });
  return { code, out: stdout.text(), err: stderr.text() };
}

/** Runs `openim-sync jobs …` the same way. */
const run = (...argv: string[]) => tool('jobs', ...argv);

describe('the openim-sync command', () => {
  it('prints the version of package.json with --version and -V, exit 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const flag of ['--version', '-V']) expect(await tool(flag)).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });

  it('lists the jobs group and --version with --help', async () => {
    const { code, out } = await tool('--help');
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: openim-sync <command>/);
    expect(out).toMatch(/^ {2}jobs /m);
    expect(out).toContain('--version');
    expect(out).toContain('NO_COLOR');
    expect((await tool('help', 'jobs')).out).toMatch(/^Usage: openim-sync jobs <command>/);
  });

  it('prints its help on stderr and exits 2 without a command', async () => {
    const { code, out, err } = await tool();
    expect([code, out]).toEqual([2, '']);
    expect(err).toMatch(/^Usage: openim-sync <command>/);
  });

  it('names itself in a usage error', async () => {
    const { code, err } = await tool('failed');
    expect(code).toBe(2);
    expect(err).toBe('openim-sync: unknown command "failed" (run "openim-sync --help" for the list)\n');
    expect((await tool('jbos')).err).toContain('openim-sync: unknown command "jbos", did you mean jobs?');
  });

  it('offers --json on every verb', () => {
    for (const command of commands) {
      expect(
        command.options.map((option) => option.flags),
        command.name,
      ).toContain('--json');
    }
  });
});

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
    expect(err).toContain('Usage: openim-sync jobs <command>');
  });

  it('prints the help on stderr and exits 2 for help on an unknown command', async () => {
    const { code, out, err } = await run('help', 'bogus');
    expect([code, out]).toEqual([2, '']);
    expect(err).toContain('Usage: openim-sync jobs <command>');
  });

  it.each(commands.map((command) => command.name))('has --help for "%s"', async (name) => {
    for (const flag of ['--help', '-h']) {
      const { code, out } = await run(name, flag);
      expect(code).toBe(0);
      expect(out).toMatch(new RegExp(`^Usage: openim-sync jobs ${name}`));
    }
    expect((await run('help', name)).out).toMatch(new RegExp(`^Usage: openim-sync jobs ${name}`));
  });

  it('explains the replay id trade-off and what "paused" means', async () => {
    expect((await run('replay', '--help')).out).toContain('r-<original id>-<time of the replay>');
    expect((await run('counts', '--help')).out).toContain('BullMQ 6 has no paused job state');
  });
});

describe('usage errors exit 2 with one clear line', () => {
  it.each([
    [['bogus'], 'openim-sync jobs: unknown command "bogus" (run "openim-sync jobs --help" for the list)'],
    [['failed', '--bogus'], 'openim-sync jobs failed: unknown option "--bogus"'],
    [['failed', '--lmit', '3'], 'openim-sync jobs failed: unknown option "--lmit", did you mean --limit?'],
    [['--json', 'counts'], 'openim-sync jobs: unknown option "--json" (run "openim-sync jobs --help" for the list)'],
    [['cuonts'], 'openim-sync jobs: unknown command "cuonts", did you mean counts?'],
    [['retry', '--all', '--dry-run=1'], 'openim-sync jobs retry: --dry-run takes no value'],
    [['failed', '--since', 'banana'], 'openim-sync jobs failed: --since "banana": expected a duration'],
    [['failed', '--limit', '-1'], 'openim-sync jobs failed: --limit "-1": expected a positive whole number'],
    [['failed', '--limit=0'], 'openim-sync jobs failed: --limit "0"'],
    [['failed', '--limit'], 'openim-sync jobs failed: --limit needs a value'],
    [['failed', '--json=yes'], 'openim-sync jobs failed: --json takes no value'],
    [['failed', '--command', 'callbackNopeCommand'], 'not a known OpenIM callback command'],
    [['counts', 'extra'], 'openim-sync jobs counts: unexpected argument "extra"'],
    [['show'], 'openim-sync jobs show: give the id of a job'],
    [['show', 'a', 'b'], 'openim-sync jobs show: one id at a time'],
    [['retry'], 'openim-sync jobs retry: give the ids of failed jobs, or --all'],
    [['retry', 'a', '--all'], 'give job ids or --all, not both'],
    [['retry', 'a', '--group', 'g'], 'filters (--command, --group, --user, --since, --limit) need --all'],
    [['retry', '--all', '--since', '2026-13-01'], '--since "2026-13-01"'],
    [['remove', '--all'], 'openim-sync jobs remove: refusing to remove failed jobs in bulk without --yes'],
    [['remove', '--all', '--command', 'callbackAfterQuitGroupCommand'], 'without --yes'],
    [['replay'], 'openim-sync jobs replay: --since is required'],
    [['replay', '--since', '1x'], '--since "1x"'],
    [['pause', 'now'], 'openim-sync jobs pause: unexpected argument "now"'],
    [['inbox', '1-0'], 'openim-sync jobs inbox: unexpected argument "1-0" (entry ids go with --redrive)'],
    [['inbox', '--all'], 'openim-sync jobs inbox: --all goes with --redrive'],
    [['inbox', '--limit', '0'], 'openim-sync jobs inbox: --limit "0": expected a positive whole number'],
    [['inbox', '--redrive'], 'openim-sync jobs inbox: give the ids of rejected entries, or --all'],
    [['inbox', '--redrive', '1-0', '--all'], 'give entry ids or --all, not both'],
    [
      ['inbox', '--redrive', '--all', '--limit', '3'],
      'openim-sync jobs inbox: --limit is for the listing, not --redrive',
    ],
    [['inbox', '--redrive', 'h-abc'], 'openim-sync jobs inbox: "h-abc" is not an entry id'],
    [['find'], 'openim-sync jobs find: give the operationID of a callback'],
    [['find', 'op-1', 'op-2'], 'openim-sync jobs find: one operationID at a time (unexpected "op-2")'],
    [['counts', '--watch', '0'], 'openim-sync jobs counts: --watch "0": expected seconds between readings'],
    [['counts', '--watch', 'often'], 'openim-sync jobs counts: --watch "often"'],
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
      argv: ['jobs', 'counts'],
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
      argv: ['jobs', 'counts'],
      env: { REDIS_URL: 'redis://:secret@127.0.0.1:1' },
      stdout: createCapture(),
      stderr,
      connectTimeoutMs: 1000,
    });
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(stderr.text()).toMatch(/^openim-sync jobs: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1\/?: /);
    expect(stderr.text()).not.toContain('secret');
  });
});
