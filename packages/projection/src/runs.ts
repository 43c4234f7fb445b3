import { toPgText } from './pg-text.js';

/**
 * Splits rows, in order, into runs in which no key appears twice. One
 * multi-row statement can write a run: its rows touch distinct rows of the
 * table and do not see each other, which is the same as writing them one at
 * a time (an `INSERT … ON CONFLICT DO UPDATE` may not touch a row twice).
 * Keys are compared as stored ({@link toPgText}): two raw ids that are
 * stored alike are one row.
 */
export function runsOfDistinct<T>(rows: readonly T[], key: (row: T) => string): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  const keys = new Set<string>();
  for (const row of rows) {
    const k = toPgText(key(row));
    if (keys.has(k)) {
      runs.push(run);
      run = [];
      keys.clear();
    }
    run.push(row);
    keys.add(k);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** A run's rows as the array parameters of an `unnest` statement: one array per field, in order. */
export function columns<T>(rows: readonly T[], ...fields: ((row: T) => unknown)[]): unknown[][] {
  return fields.map((field) => rows.map(field));
}
