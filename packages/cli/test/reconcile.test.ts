import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { FakeOpenIm } from '@openim-sync/openim-client/fake-openim';
import { freePort, repoRoot, type TestSchema } from '@openim-sync/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCapture, runCli } from '../src/index.js';
import { type ReconcileServices, startReconcileServices } from './reconcile-services.js';

const T0 = Date.now() - 600_000;
let services: ReconcileServices;
let schema: TestSchema;
let fake: FakeOpenIm;
let env: Record<string, string>;

/** Runs `openim-sync jobs reconcile …` in-process; Redis is deliberately unreachable: reconcile must not need it. */
async function reconcile(...argv: string[]) {
  const stdout = createCapture();
  const stderr = createCapture();
  const code = await runCli({ argv: ['jobs', 'reconcile', ...argv], env, stdout, stderr, connectTimeoutMs: 50 });
  return { code, out: stdout.text(), err: stderr.text() };
}

/** Puts rows into the projection as callbacks would have (joined at T0, versions at T0). */
async function project(groupID: string, members: Array<[string, number]>) {
  for (const [userID, roleLevel] of members) {
    await schema.rows(
      `INSERT INTO $schema.group_members
         (group_id, user_id, role_level, join_source, joined_at, member_version, joined_version, role_version)
       VALUES ($1, $2, $3, 2, to_timestamp($4 / 1000.0), $4 * 1000, $4 * 1000, $4 * 1000)`,
      [groupID, userID, roleLevel, T0],
    );
  }
}

const members = async (groupID: string) =>
  (
    await schema.rows<{ user_id: string; role_level: number }>(
      'SELECT user_id, role_level FROM $schema.group_members WHERE group_id = $1 ORDER BY user_id',
      [groupID],
    )
  ).map((r) => `${r.user_id}:${r.role_level}`);

beforeAll(async () => {
  services = await startReconcileServices('cli_reconcile');
  ({ schema, fake } = services);
  env = { REDIS_URL: 'redis://127.0.0.1:1', ...services.env };
});

afterAll(async () => {
  await services?.close();
});

beforeEach(async () => {
  await schema.rows(
    'TRUNCATE $schema.group_members, $schema.group_member_removals, $schema.group_dismissals, $schema.group_member_roles',
  );
  fake.group('g1', [
    { userID: 'o', roleLevel: 100, joinTime: T0 },
    { userID: 'a', joinTime: T0 },
    { userID: 'inv', joinTime: T0 + 1000 },
  ]);
  fake.group('g2', [{ userID: 'x', roleLevel: 100, joinTime: T0 }]);
  fake.dismiss('g2');
  await project('g1', [
    ['o', 100],
    ['a', 60],
    ['q', 20],
  ]);
  await project('g2', [['x', 100]]);
});

describe('jobs reconcile', () => {
  it('--dry-run prints what differs and changes nothing', async () => {
    const result = await reconcile('--group', 'g1', '--dry-run');
    expect(result).toEqual({
      code: 0,
      err: '',
      out:
        'group g1: 1 added, 1 removed, 1 updated\n  + inv\n  - q\n  ~ a  roleLevel 60 → 20\n' +
        'checked 1 group: would repair 1 (1 added, 1 removed, 1 updated) (dry run: nothing changed)\n',
    });
    expect(await members('g1')).toEqual(['a:60', 'o:100', 'q:20']);
    const all = await reconcile('--all', '--dry-run');
    expect(all.code).toBe(0);
    expect(all.out).toContain('group g2: dismissed or unknown in OpenIM, 1 removed\n  - x\n');
    expect(all.out).toContain('checked 2 groups: would repair 2 (1 added, 2 removed, 1 updated, 1 dismissed)');
    expect(await members('g2')).toEqual(['x:100']);
  });

  it('repairs one group or all of them, then finds them in sync', async () => {
    const one = await reconcile('--group', 'g1');
    expect(one.code).toBe(0);
    expect(one.out).toContain('checked 1 group: repaired 1 (1 added, 1 removed, 1 updated)\n');
    expect(await members('g1')).toEqual(['a:20', 'inv:20', 'o:100']);
    const all = await reconcile('--all', '--json');
    expect(all.code).toBe(0);
    const lines = all.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({ groupID: 'g1', outcome: 'in-sync' }),
      expect.objectContaining({ groupID: 'g2', outcome: 'repaired', dismissed: true, removed: ['x'] }),
    ]);
    expect(await members('g2')).toEqual([]);
    expect((await reconcile('--group', 'g1')).out).toBe(
      'group g1: in sync\nchecked 1 group: repaired 0 (0 added, 0 removed, 0 updated)\n',
    );
    // On a terminal, --all shows how many groups it has done, and erases that line before the summary.
    const stderr = createCapture(true);
    const stdout = createCapture();
    expect(await runCli({ argv: ['jobs', 'reconcile', '--all', '--dry-run'], env, stdout, stderr })).toBe(0);
    expect(stderr.text()).toContain('\r\x1b[Kreconciled groups 1/1');
    expect(stderr.text().endsWith('\r\x1b[K')).toBe(true);
    expect(stdout.text()).toBe(
      'checked 1 group: would repair 0 (0 added, 0 removed, 0 updated) (dry run: nothing changed)\n',
    );
  });

  it('exits 1 with a clear message when OpenIM is unreachable or refuses the credentials', async () => {
    const port = await freePort();
    env.OPENIM_API_URL = `http://127.0.0.1:${port}`;
    try {
      const unreachable = await reconcile('--all');
      expect([unreachable.code, unreachable.out]).toEqual([1, '']);
      expect(unreachable.err).toMatch(
        new RegExp(
          `^openim-sync jobs reconcile: cannot reach OpenIM at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`,
        ),
      );
    } finally {
      env.OPENIM_API_URL = fake.url;
    }
    const refused = await runCli({
      argv: ['jobs', 'reconcile', '--group', 'g1'],
      env: { ...env, OPENIM_ADMIN_SECRET: 'wrong-secret-value' },
      stdout: createCapture(),
      stderr: createCapture(),
    });
    expect(refused).toBe(1);
    const stderr = createCapture();
    await runCli({
      argv: ['jobs', 'reconcile', '--all'],
      env: { ...env, OPENIM_ADMIN_SECRET: 'nope' },
      stdout: createCapture(),
      stderr,
    });
    expect(stderr.text()).toMatch(
      /^openim-sync jobs reconcile: cannot use OpenIM at http:\/\/127\.0\.0\.1:\d+: OpenIM refused the admin credentials/,
    );
    expect(stderr.text()).toContain('errCode 1002');
    expect(stderr.text()).not.toContain('nope');
    expect(await members('g1')).toEqual(['a:60', 'o:100', 'q:20']);
  });

  it('needs OPENIM_API_URL, and --group or --all', async () => {
    const stderr = createCapture();
    const { OPENIM_API_URL: _, ...withoutUrl } = env;
    expect(
      await runCli({ argv: ['jobs', 'reconcile', '--all'], env: withoutUrl, stdout: createCapture(), stderr }),
    ).toBe(1);
    expect(stderr.text()).toContain('set OPENIM_API_URL and OPENIM_ADMIN_SECRET');
    expect((await reconcile()).code).toBe(2);
    expect((await reconcile('--all', '--group', 'g1')).err).toContain('give --group or --all, not both');
  });
});

describe('the built openim-sync binary', () => {
  it('reconciles through `pnpm jobs reconcile` (node packages/cli/dist/main.js jobs)', async () => {
    const entry = `${repoRoot}packages/cli/dist/main.js`;
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run "pnpm build" first`);
    const result = await new Promise<{ code: number; out: string; err: string }>((resolve) => {
      execFile(
        process.execPath,
        [entry, 'jobs', 'reconcile', '--group', 'g1'],
        { cwd: repoRoot, env: { ...process.env, ...env } },
        (err, out, errOut) => resolve({ code: err ? Number(err.code ?? 1) : 0, out, err: errOut }),
      );
    });
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain('checked 1 group: repaired 1 (1 added, 1 removed, 1 updated)');
  });
});
