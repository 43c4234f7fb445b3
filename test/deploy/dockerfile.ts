// Reads the Dockerfile the way the deployment tests need it: stages, their
// instructions, COPY sources, HEALTHCHECK commands and the build context.
import { cpSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { readRepoFile, root } from './tools.js';

// A CommonJS module whose types declare an ES default export: require it as it is.
const dockerignore = createRequire(import.meta.url)(
  '@balena/dockerignore',
) as typeof import('@balena/dockerignore').default;

export interface Stage {
  name: string;
  /** The image or earlier stage it starts FROM, as written (`${NODE_IMAGE}`, `tools`). */
  from: string;
  /** Its instructions, continuation lines joined, comments and blank lines left out. */
  lines: string[];
}

export interface Dockerfile {
  /** ARG defaults declared before the first FROM. */
  args: Record<string, string>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const raw of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const line = raw.trim().replace(/\s+/g, ' ');
    if (line === '' || line.startsWith('#')) continue;
    const from = /^FROM (\S+)(?: AS (\S+))?$/i.exec(line);
    const current = stages.at(-1);
    if (from) stages.push({ from: from[1]!, name: from[2] ?? `#${stages.length}`, lines: [] });
    else if (current) current.lines.push(line);
    else {
      const arg = /^ARG (\w+)(?:=(.*))?$/.exec(line);
      if (arg) args[arg[1]!] = arg[2] ?? '';
    }
  }
  return { args, stages };
}

export const dockerfile = parseDockerfile(readRepoFile('Dockerfile'));

export function stage(name: string): Stage {
  const found = dockerfile.stages.find((s) => s.name === name);
  if (!found) throw new Error(`the Dockerfile has no stage ${name}`);
  return found;
}

/** A stage's instructions after those of the stages it builds on, as the image gets them. */
export function inheritedLines(name: string): string[] {
  const own = stage(name);
  const parent = dockerfile.stages.find((s) => s.name === own.from);
  return [...(parent ? inheritedLines(parent.name) : []), ...own.lines];
}

export interface Copy {
  /** The stage it copies from; undefined for the build context. */
  from: string | undefined;
  sources: string[];
  destination: string;
}

export function copies(lines: string[]): Copy[] {
  return lines
    .filter((line) => line.startsWith('COPY '))
    .map((line) => {
      const words = line.split(' ').slice(1);
      const from = words[0]?.startsWith('--from=') ? words.shift()?.slice('--from='.length) : undefined;
      const destination = words.pop() ?? '';
      return { from, sources: words, destination };
    });
}

/** The HEALTHCHECK's command (exec form) of a stage's instructions. */
export function healthcheck(lines: string[]): string[] {
  const line = lines.find((l) => l.startsWith('HEALTHCHECK '));
  const command = line && /\bCMD (\[.*\])$/.exec(line)?.[1];
  if (!command) throw new Error('no HEALTHCHECK with an exec-form CMD');
  return JSON.parse(command) as string[];
}

/** The `pnpm ... deploy ... <folder>` commands of the build stage, each as its words. */
export function deployCommands(): string[][] {
  return stage('build')
    .lines.filter((line) => line.startsWith('RUN '))
    .flatMap((line) => line.slice('RUN '.length).split(' && '))
    .map((command) => command.trim().split(' '))
    .filter((words) => words[0] === 'pnpm' && words.includes('deploy'));
}

/** The LABELs of a stage's instructions (inherited ones included), by key. */
export function labels(name: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const line of inheritedLines(name).filter((l) => l.startsWith('LABEL '))) {
    for (const match of line.matchAll(/([\w.-]+)="([^"]*)"/g)) found[match[1]!] = match[2]!;
  }
  return found;
}

/**
 * Files Docker sends as the build context: everything under the repository
 * root that .dockerignore does not exclude (with Docker's own matching rules).
 */
export function contextFiles(): string[] {
  const ignore = dockerignore().add(readRepoFile('.dockerignore').split('\n'));
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = relative(root, join(dir, entry.name));
      if (ignore.ignores(path)) return [];
      return entry.isDirectory() ? walk(join(dir, entry.name)) : [path];
    });
  return walk(root);
}

/** Copies the build context into `dir`. */
export function copyContext(dir: string): string[] {
  const files = contextFiles();
  for (const file of files) cpSync(join(root, file), join(dir, file));
  return files;
}
