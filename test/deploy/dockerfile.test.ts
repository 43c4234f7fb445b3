// The Dockerfile, checked without a Docker engine: its stages and what they
// copy, against the repository, turbo prune's output (run here on a copy of
// the build context) and the compose file. test/deploy/images.test.ts runs
// what its build stage deploys.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { IngressEnv } from '../../apps/ingress/src/config.js';
import { WorkerEnv } from '../../apps/worker/src/config.js';
import {
  copies,
  copyContext,
  deployCommands,
  dockerfile,
  healthcheck,
  inheritedLines,
  labels,
  stage,
} from './dockerfile.js';
import { readRepoFile, root } from './tools.js';

type Json = Record<string, unknown>;
interface Manifest {
  name: string;
  version: string;
  license?: string;
  engines?: { node?: string };
  files?: string[];
  packageManager?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const images = ['ingress', 'worker'] as const;
const manifest = (dir: string) => JSON.parse(readRepoFile(join(dir, 'package.json'))) as Manifest;
const rootManifest = manifest('.');
const workspaceDirs = ['apps', 'packages']
  .flatMap((group) => readdirSync(join(root, group)).map((name) => `${group}/${name}`))
  .concat('bench')
  .filter((dir) => existsSync(join(root, dir, 'package.json')));

/** The prune stage's `turbo prune` command, as its words. */
const pruneCommand = () => {
  const run = stage('prune').lines.find((line) => line.startsWith('RUN turbo prune '));
  expect(run, 'RUN turbo prune in the prune stage').toBeDefined();
  return run!.slice('RUN '.length).split(' ');
};
const pruneOutDir = () => {
  const words = pruneCommand();
  return words[words.indexOf('--out-dir') + 1] ?? '';
};

describe('Dockerfile', () => {
  it('builds every target that docker-compose.yml asks for', () => {
    const services = (parse(readRepoFile('docker-compose.yml')) as { services: Record<string, Json> }).services;
    for (const name of images) {
      expect((services[name]?.build as Json)?.target).toBe(name);
      expect(stage(name).name).toBe(name);
    }
  });

  it('starts every stage from Node 24 LTS or an earlier stage, and copies from earlier stages only', () => {
    expect(dockerfile.args.NODE_IMAGE).toMatch(/^node:24(\.\d+)*-[a-z]+-slim$/);
    const seen: string[] = [];
    for (const { name, from, lines } of dockerfile.stages) {
      expect([...seen, `\${NODE_IMAGE}`], `FROM of ${name}`).toContain(from);
      for (const copy of copies(lines).filter((c) => c.from)) expect(seen, `COPY in ${name}`).toContain(copy.from);
      seen.push(name);
    }
  });

  it('keeps the code itself on Node >= 20.19: every engines field says so, the types are Node 20’s', () => {
    expect(rootManifest.engines?.node).toBe('>=20.19');
    for (const name of images) expect(manifest(`apps/${name}`).engines?.node, name).toBe('>=20.19');
    for (const dir of workspaceDirs) {
      const engines = manifest(dir).engines;
      if (engines) expect(engines.node, dir).toBe(rootManifest.engines?.node);
    }
    expect(rootManifest.devDependencies?.['@types/node']).toMatch(/^\^20\.19\./);
  });

  it('runs the final stages as the unprivileged node user in production mode', () => {
    for (const name of images) {
      const instructions = inheritedLines(name);
      expect(instructions).toContain('USER node');
      expect(instructions).toContain('ENV NODE_ENV=production');
      expect(instructions).toContain('WORKDIR /app');
      expect(stage(name).lines.at(-1)).toBe('CMD ["node", "dist/main.js"]');
    }
  });

  it('installs the pnpm that package.json pins and the turbo that the lockfile resolves', () => {
    const tools = stage('tools').lines.join('\n');
    expect(`pnpm@${/^ARG PNPM_VERSION=(\S+)$/m.exec(tools)?.[1]}`).toBe(rootManifest.packageManager);
    const lock = parse(readRepoFile('pnpm-lock.yaml')) as {
      importers: Record<string, { devDependencies: Record<string, { version: string }> }>;
    };
    const turbo = /^ARG TURBO_VERSION=(\S+)$/m.exec(tools)?.[1];
    expect(turbo).toBe(lock.importers['.']?.devDependencies.turbo?.version);
  });

  it('labels both images with the OCI keys, agreeing with the apps’ package.json', () => {
    for (const name of images) {
      const found = labels(name);
      expect(found['org.opencontainers.image.title']).toBe(`openim-sync-${name}`);
      expect(found['org.opencontainers.image.description']).toMatch(/^.{20,}$/);
      expect(found['org.opencontainers.image.licenses']).toBe(rootManifest.license);
      expect(found['org.opencontainers.image.version']).toBe(manifest(`apps/${name}`).version);
      expect(found).toHaveProperty(['org.opencontainers.image.revision']);
    }
  });

  // The images have no curl; the check asks the app's own port, whose default is the config's.
  it('health-checks each image with node’s fetch on /healthz at the port its app listens on', () => {
    const cases = [
      { name: 'ingress', variable: 'PORT', fallback: IngressEnv.shape.PORT.parse(undefined) },
      { name: 'worker', variable: 'METRICS_PORT', fallback: WorkerEnv.shape.METRICS_PORT.parse(undefined) },
    ];
    for (const { name, variable, fallback } of cases) {
      const [command, flag, script] = healthcheck(stage(name).lines);
      expect([command, flag]).toEqual(['node', '-e']);
      expect(script).toContain(`process.env.${variable} || ${fallback}`);
      expect(script).toMatch(/fetch\('http:\/\/127\.0\.0\.1:' \+ .+ \+ '\/healthz'/);
      expect(stage(name).lines.filter((line) => line.startsWith('EXPOSE ')).length).toBe(name === 'ingress' ? 2 : 0);
    }
  });

  it('puts the openim-sync CLI, deployed into the worker’s folder, on the worker image’s PATH', () => {
    const targets = Object.fromEntries(deployCommands().map((words) => [words[2], words.at(-1)]));
    expect(targets['@openim-sync/cli']).toBe(`${targets['@openim-sync/worker']}/cli`);
    expect(copies(stage('worker').lines)).toContainEqual({
      from: 'build',
      sources: [targets['@openim-sync/worker']],
      destination: '/app',
    });
    expect(inheritedLines('worker')).toContain('ENV PATH=/app/bin:$PATH');
    // pnpm deploy copies what "files" lists; git keeps the shim's executable bit.
    expect(manifest('apps/worker').files).toContain('bin');
    const shim = 'apps/worker/bin/openim-sync';
    expect(readRepoFile(shim)).toMatch(/^#!\/bin\/sh\n(.*\n)*exec node "\$here\/\.\.\/cli\/dist\/main\.js" "\$@"\n$/);
    expect(statSync(join(root, shim)).mode & 0o111).toBe(0o111);
  });
});

describe('Dockerfile, its build context and turbo prune', () => {
  let dir: string;
  let context: string[];
  let pruned: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dockerfile-'));
    context = copyContext(join(dir, 'context'));
    pruned = join(dir, 'pruned');
    // The prune stage's own command, on what Docker would send; the repository's turbo is the one pinned.
    const words = pruneCommand().map((word) => (word === pruneOutDir() ? pruned : word));
    const result = spawnSync(join(root, 'node_modules/.bin/turbo'), words.slice(1), {
      cwd: join(dir, 'context'),
      encoding: 'utf8',
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('.dockerignore keeps installed, built and local-only files out of a small context', () => {
    expect(context.filter((file) => /(^|\/)(node_modules|dist|\.turbo|coverage)\//.test(file))).toEqual([]);
    expect(context.filter((file) => /^(\.git|\.env)$/.test(file))).toEqual([]);
    const bytes = context.reduce((sum, file) => sum + statSync(join(root, file)).size, 0);
    expect(bytes).toBeLessThan(10 * 1024 * 1024);
    // Every file git tracks reaches the build, but for the benchmark's results.
    const tracked = spawnSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).stdout.trim().split('\n');
    expect(tracked.filter((file) => !context.includes(file) && !file.startsWith('bench/results/'))).toEqual([]);
  });

  it('prunes to the packages the deployed ones need, and builds from that output only', () => {
    const targets = deployCommands().map((words) => words[2]);
    expect(
      pruneCommand()
        .slice(2, 2 + targets.length)
        .sort(),
    ).toEqual([...targets].sort());
    // Every workspace package a deployed one depends on is there, and no other (bench is not).
    const kept = workspaceDirs.filter((d) => existsSync(join(pruned, 'json', d, 'package.json')));
    expect(kept).toEqual(expect.arrayContaining(['apps/ingress', 'apps/worker', 'packages/cli']));
    expect(kept).not.toContain('bench');
    for (const d of kept) {
      for (const [name, range] of Object.entries(manifest(d).dependencies ?? {})) {
        if (range.startsWith('workspace:'))
          expect(
            kept.map((k) => manifest(k).name),
            `${d} → ${name}`,
          ).toContain(name);
      }
    }
    const build = stage('build').lines;
    const order = [
      `COPY --from=prune ${pruneOutDir()}/json/ ./`,
      'RUN pnpm install --frozen-lockfile',
      `COPY --from=prune ${pruneOutDir()}/full/ ./`,
      'RUN pnpm build',
    ].map((line) => build.indexOf(line));
    expect(
      order.every((index, i) => index >= 0 && (i === 0 || index > order[i - 1]!)),
      build.join('\n'),
    ).toBe(true);
    expect(copies(build).filter((c) => !c.from && c.sources.some((s) => /^(apps|packages)\b/.test(s)))).toEqual([]);
  });

  it('installs the pruned workspace from its frozen lockfile', () => {
    const result = spawnSync('pnpm', ['install', '--frozen-lockfile', '--offline', '--ignore-scripts'], {
      cwd: join(pruned, 'json'),
      encoding: 'utf8',
      env: { ...process.env, CI: 'true' },
    });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  });

  it('copies only what exists: in the context, in turbo prune’s output, or among the build stage’s deploys', () => {
    const deployed = deployCommands().map((words) => words.at(-1) ?? '');
    for (const { name, lines } of dockerfile.stages) {
      for (const { from, sources } of copies(lines)) {
        for (const source of sources) {
          const where = `COPY ${from ? `--from=${from} ` : ''}${source} (${name})`;
          if (!from) expect(source === '.' || context.includes(source), where).toBe(true);
          else if (from === 'prune') expect(existsSync(source.replace(pruneOutDir(), pruned)), where).toBe(true);
          else expect(from === 'build' && deployed.includes(source), where).toBe(true);
        }
      }
    }
  });
});
