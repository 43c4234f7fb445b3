import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Gauge, type Registry } from 'prom-client';

/**
 * The `version` of the nearest package.json at or above the folder of
 * `moduleUrl`: an app's own, both in the repository and in its image
 * (`pnpm deploy` copies it beside `dist/`). `unknown` when there is none.
 */
export function packageVersion(moduleUrl: string | URL): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    let text: string | undefined;
    try {
      text = readFileSync(join(dir, 'package.json'), 'utf8');
    } catch {
      // No package.json here: look one folder up.
    }
    if (text !== undefined) {
      try {
        const { version } = JSON.parse(text) as { version?: unknown };
        return typeof version === 'string' ? version : 'unknown';
      } catch {
        return 'unknown';
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

export interface BuildInfo {
  /** The app's name as the `app` label gives it: `ingress`, `worker`. */
  app: string;
  /** A module of the app (its `import.meta.url`): the version comes from the app's package.json. */
  moduleUrl: string | URL;
}

/**
 * `openim_sync_build_info{app, version, node_version} 1`, so a dashboard can
 * tell which release each process runs during a rollout, and a query can
 * join the version onto any series (`* on(job, instance) group_left(version)`).
 * The package.json is read at the first scrape, not when the registry is made.
 */
export function registerBuildInfo(registry: Registry, { app, moduleUrl }: BuildInfo): void {
  let version: string | undefined;
  new Gauge({
    name: 'openim_sync_build_info',
    help: 'Always 1: the app, its version (from its package.json) and the Node.js version it runs on.',
    labelNames: ['app', 'version', 'node_version'] as const,
    registers: [registry],
    collect() {
      version ??= packageVersion(moduleUrl);
      this.set({ app, version, node_version: process.versions.node }, 1);
    },
  });
}
