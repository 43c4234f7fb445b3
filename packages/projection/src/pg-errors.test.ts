import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { classifyPgError, EventRefusedError, isPermanentPgError } from './pg-errors.js';

function pgError(code: string, message = 'refused') {
  const err = new pg.DatabaseError(message, 0, 'error');
  err.code = code;
  return err;
}

describe('classifyPgError', () => {
  it('makes data exceptions, program limits and broken rules permanent, keeping the cause', () => {
    for (const code of ['22P05', '22021', '22003', '54000', '23502', '23514']) {
      expect(isPermanentPgError(pgError(code)), code).toBe(true);
    }
    const cause = pgError('54000', 'index row size 3016 exceeds btree version 4 maximum 2704');
    const err = classifyPgError(cause);
    expect(err).toBeInstanceOf(EventRefusedError);
    expect((err as Error).message).toBe(
      'refused for good (SQLSTATE 54000, program limit exceeded): index row size 3016 exceeds btree version 4 maximum 2704',
    );
    expect((err as Error).cause).toBe(cause);
  });

  it('leaves what a retry can cure as it is', () => {
    // A race (duplicate key, missing parent), a deadlock, a serialization failure, a connection
    // lost, a server shutting down, a statement timeout, too many connections.
    for (const code of ['23505', '23503', '40P01', '40001', '08006', '57P01', '57014', '53300']) {
      const err = pgError(code);
      expect(classifyPgError(err), code).toBe(err);
    }
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(classifyPgError(refused)).toBe(refused);
    // A SQLSTATE-looking code on an error that did not come from the server is not trusted.
    const local = Object.assign(new Error('not from the server'), { code: '22P05' });
    expect(classifyPgError(local)).toBe(local);
  });
});
