import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { packageVersion, registerBuildInfo } from './build-info.js';

const root = mkdtempSync(join(tmpdir(), 'build-info-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A module URL inside a made-up package whose package.json holds `manifest`. */
function moduleIn(name: string, manifest: string | undefined): URL {
  const dir = join(root, name, 'dist', 'metrics');
  mkdirSync(dir, { recursive: true });
  if (manifest !== undefined) writeFileSync(join(root, name, 'package.json'), manifest);
  return pathToFileURL(join(dir, 'worker-metrics.js'));
}

describe('build info', () => {
  it('reads the version of the nearest package.json above the module', () => {
    expect(packageVersion(moduleIn('app', '{"name":"app","version":"1.2.3"}'))).toBe('1.2.3');
    expect(packageVersion(moduleIn('no-version', '{"name":"x"}'))).toBe('unknown');
    expect(packageVersion(moduleIn('broken', '{'))).toBe('unknown');
  });

  it('exports one series of value 1 with the app, its version and Node.js’s', async () => {
    const registry = new Registry();
    registerBuildInfo(registry, { app: 'worker', moduleUrl: moduleIn('labelled', '{"version":"0.9.0"}') });
    const text = await registry.metrics();
    const lines = text.split('\n').filter((l) => l.startsWith('openim_sync_build_info{'));
    expect(lines).toEqual([
      `openim_sync_build_info{app="worker",version="0.9.0",node_version="${process.versions.node}"} 1`,
    ]);
  });
});
