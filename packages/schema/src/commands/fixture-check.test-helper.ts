import { readFileSync } from 'node:fs';
import { createCatalog } from '../index.js';

/** The full catalog, as the ingress and the worker use it. */
export const catalog = createCatalog();

/** A fixture's body, parsed. */
export const fixture = (command: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${command}.json`, import.meta.url), 'utf8'));

/** The normalised event of a body (the command's fixture by default); throws on a rejected body. */
export function check(command: string, body: unknown = fixture(command)) {
  const result = catalog.check(command, body);
  if (!result.ok) throw new Error(result.reason.message);
  return result.value.event;
}
