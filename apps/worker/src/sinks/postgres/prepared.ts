import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * A named (prepared) statement: each connection parses and plans it once,
 * then only binds values. The name is a hash of the text, so statements of
 * two schemas never share one name.
 */
export function prepared(text: string): (values: unknown[]) => pg.QueryConfig {
  const name = `openim-sync-${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  return (values) => ({ name, text, values });
}
