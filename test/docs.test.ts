// The docs name source and test files as `path/to/file.ts`; each such path
// must exist, so a move or a rename cannot leave a doc pointing nowhere.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { beforeCallbacks } from '../apps/ingress/src/before-callbacks/catalog.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const docs = [
  'README.md',
  'README.zh-CN.md',
  'deploy/README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Backticked repository paths: start with a top-level folder, end with a file extension. */
function repoPaths(markdown: string): string[] {
  const paths = [...markdown.matchAll(/`((?:apps|packages|test|docs|bench|scripts|deploy)\/[\w./-]+\.\w+)`/g)];
  return [...new Set(paths.map((m) => m[1] as string))];
}

describe('docs', () => {
  it('finds backticked repository paths', () => {
    expect(repoPaths('see `apps/x/src/a.ts` and `test/e2e/b.e2e.test.ts`, not `url/{command}`')).toEqual([
      'apps/x/src/a.ts',
      'test/e2e/b.e2e.test.ts',
    ]);
  });

  it.each(docs)('%s names only files that exist', (doc) => {
    const missing = repoPaths(readFileSync(join(root, doc), 'utf8')).filter((p) => !existsSync(join(root, p)));
    expect(missing).toEqual([]);
  });

  it("the README's map of the tree names every app, package and top-level folder, and nothing else", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const map = readme.slice(readme.indexOf("A newcomer's map of the tree"));
    const rows = map.slice(0, map.indexOf('\n\n', map.indexOf('|')));
    const named = [...rows.matchAll(/^\| `([\w./-]+?)\/?` /gm)].map((m) => m[1]);
    const dirs = (parent: string) =>
      readdirSync(join(root, parent), { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(root, parent, d.name, 'package.json')))
        .map((d) => `${parent}/${d.name}`);
    const folders = ['bench', 'deploy', 'docs', 'scripts', 'test'].filter((f) => existsSync(join(root, f)));
    expect(new Set(named)).toEqual(new Set([...dirs('apps'), ...dirs('packages'), ...folders]));
  });

  it('LICENSE is the license package.json names, and the root package is named like the product', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; license: string };
    expect(readFileSync(join(root, 'LICENSE'), 'utf8').split('\n')[0]).toBe(`${pkg.license} License`);
    expect(pkg.name).toBe('openim-sync');
  });

  it('the compatibility doc counts the before-callbacks of the catalog', () => {
    const doc = readFileSync(join(root, 'docs/openim-compatibility.md'), 'utf8');
    expect(doc.replace(/\s+/g, ' ')).toContain(`the ${beforeCallbacks.length} of \`main\``);
  });
});
