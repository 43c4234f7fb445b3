import { ConfigError } from '@openim-sync/runtime';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';

function problems(source: Record<string, string>): string {
  try {
    loadConfig(source);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n');
    throw err;
  }
  throw new Error('loadConfig did not throw');
}

describe('admin listener config', () => {
  it('is off without credentials, whatever the port says', () => {
    expect(loadConfig({}).admin).toBeUndefined();
    expect(loadConfig({ ADMIN_PORT: '9999' }).admin).toBeUndefined();
  });

  it('starts with both credentials, on 0.0.0.0:8081 by default', () => {
    expect(loadConfig({ ADMIN_USER: 'ops', ADMIN_PASSWORD: 'correct horse' }).admin).toEqual({
      port: 8081,
      host: '0.0.0.0',
      credentials: { username: 'ops', password: 'correct horse' },
      readOnly: false,
    });
    const custom = loadConfig({
      ADMIN_USER: 'ops',
      ADMIN_PASSWORD: 'correct horse',
      ADMIN_PORT: '9000',
      ADMIN_HOST: '::1',
    });
    expect(custom.admin).toMatchObject({ port: 9000, host: '::1' });
  });

  it('is read-only with ADMIN_READ_ONLY=true, and refuses a value that is no boolean', () => {
    const pair = { ADMIN_USER: 'ops', ADMIN_PASSWORD: 'correct horse' };
    expect(loadConfig({ ...pair, ADMIN_READ_ONLY: 'true' }).admin?.readOnly).toBe(true);
    expect(loadConfig({ ...pair, ADMIN_READ_ONLY: 'false' }).admin?.readOnly).toBe(false);
    expect(problems({ ...pair, ADMIN_READ_ONLY: 'maybe' })).toMatch(/^ADMIN_READ_ONLY/m);
  });

  it('refuses half a pair, naming the missing variable', () => {
    expect(problems({ ADMIN_USER: 'ops' })).toMatch(/^ADMIN_PASSWORD: required when ADMIN_USER is set/m);
    expect(problems({ ADMIN_PASSWORD: 'correct horse' })).toMatch(/^ADMIN_USER: required when ADMIN_PASSWORD is set/m);
  });

  it('refuses a short password or a user with ":" without echoing the password', () => {
    const text = problems({ ADMIN_USER: 'a:b', ADMIN_PASSWORD: 'short', ADMIN_PORT: 'x' });
    expect(text).toMatch(/ADMIN_USER=.*":"/);
    expect(text).toMatch(/ADMIN_PASSWORD: use at least 8 characters/);
    expect(text).toMatch(/ADMIN_PORT/);
    expect(text).not.toContain('short');
  });
});
