import { randomBytes } from 'node:crypto';

/** A name no other test run on this machine uses: queues, prefixes, schemas. */
export function uniqueName(label: string): string {
  return `t_${label.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${process.pid}_${randomBytes(4).toString('hex')}`;
}
