import { readFileSync } from 'node:fs';

/**
 * The tool's version, from this package's package.json: one level above both
 * `src/` (tests) and `dist/` (the built bin, also in the worker image).
 */
export function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}
