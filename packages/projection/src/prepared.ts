import { createHash } from 'node:crypto';
import type pg from 'pg';
import { toPgParam } from './pg-text.js';

/**
 * A named (prepared) statement: each connection parses and plans it once,
 * then only binds values. The name is a hash of the text, so statements of
 * two schemas never share one name. Every statement of the projection and
 * the reconciler goes through here, so this is the one place where text
 * parameters are made storable ({@link toPgParam}).
 */
export function prepared(text: string): (values: unknown[]) => pg.QueryConfig {
  const name = `openim-sync-${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  return (values) => ({ name, text, values: values.map(toPgParam) });
}
