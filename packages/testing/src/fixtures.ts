import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A captured OpenIM request body, byte for byte (Go's trailing newline included). */
export function readFixture(name: string): Buffer {
  const file = name.endsWith('.json') ? name : `${name}.json`;
  return readFileSync(require.resolve(`@openim-sync/schema/fixtures/${file}`));
}
