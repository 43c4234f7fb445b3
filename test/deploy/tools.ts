// Helpers of the deployment-file tests: the command-line tools they run
// (promtool, kubectl), and the metric names the apps really export.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

export const readRepoFile = (path: string) => readFileSync(join(root, path), 'utf8');

/**
 * Runs a tool from the repository root and returns its output; throws when
 * the tool is not installed (naming the package that brings it) or exits
 * with an error (with what it printed).
 */
export function runTool(command: string, args: string[], install: string): string {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(`${command} is not installed: ${install} (.ci/run installs it)`);
  }
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every `openim_sync_*` metric the apps and packages register (`name: 'openim_sync_…'` in their sources). */
export function exportedMetrics(): Set<string> {
  const names = new Set<string>();
  for (const group of ['apps', 'packages']) {
    for (const name of readdirSync(join(root, group))) {
      let files: string[];
      try {
        files = sourceFiles(join(root, group, name, 'src'));
      } catch {
        continue;
      }
      for (const file of files) {
        for (const match of readFileSync(file, 'utf8').matchAll(/name:\s*'(openim_sync_\w+)'/g)) names.add(match[1]!);
      }
    }
  }
  return names;
}

/** The `openim_sync_*` series a PromQL text or a file of them names. */
export function seriesIn(text: string): string[] {
  return [...new Set(text.match(/\bopenim_sync_\w+/g) ?? [])];
}

/** Series names no metric of `exported` produces (a histogram's _bucket, _sum and _count count as its own). */
export function unknownSeries(series: string[], exported: Set<string>): string[] {
  return series.filter((name) => !exported.has(name) && !exported.has(name.replace(/_(bucket|sum|count)$/, '')));
}
