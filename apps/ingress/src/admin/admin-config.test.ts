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
      dashboard: { username: 'ops', password: 'correct horse' },
      metrics: undefined,
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

  it('serves /metrics with its own credential, alone or beside the dashboard', () => {
    const scrape = { METRICS_USER: 'prometheus', METRICS_PASSWORD: 'scrape horse' };
    expect(loadConfig(scrape).admin).toEqual({
      port: 8081,
      host: '0.0.0.0',
      dashboard: undefined,
      metrics: { username: 'prometheus', password: 'scrape horse' },
      readOnly: false,
    });
    expect(loadConfig({ ...scrape, ADMIN_USER: 'ops', ADMIN_PASSWORD: 'correct horse' }).admin).toMatchObject({
      dashboard: { username: 'ops', password: 'correct horse' },
      metrics: { username: 'prometheus', password: 'scrape horse' },
    });
  });

  it('refuses the dashboard’s credential as the scrape credential, without echoing it', () => {
    const same = { ADMIN_USER: 'ops', ADMIN_PASSWORD: 'correct horse', METRICS_USER: 'ops' };
    const text = problems({ ...same, METRICS_PASSWORD: 'correct horse' });
    expect(text).toMatch(/^METRICS_PASSWORD: .*must differ from ADMIN_USER\/ADMIN_PASSWORD/m);
    expect(text).not.toContain('correct horse');
    expect(loadConfig({ ...same, METRICS_PASSWORD: 'other horse' }).admin?.metrics?.password).toBe('other horse');
  });

  it('refuses half a pair, naming the missing variable', () => {
    expect(problems({ ADMIN_USER: 'ops' })).toMatch(/^ADMIN_PASSWORD: required when ADMIN_USER is set/m);
    expect(problems({ ADMIN_PASSWORD: 'correct horse' })).toMatch(/^ADMIN_USER: required when ADMIN_PASSWORD is set/m);
    expect(problems({ METRICS_USER: 'prometheus' })).toMatch(/^METRICS_PASSWORD: required when METRICS_USER is set/m);
  });

  it('refuses a short password or a user with ":" without echoing the password', () => {
    const text = problems({ ADMIN_USER: 'a:b', ADMIN_PASSWORD: 'short', ADMIN_PORT: 'x' });
    expect(text).toMatch(/ADMIN_USER=.*":"/);
    expect(text).toMatch(/ADMIN_PASSWORD: use at least 8 characters/);
    expect(text).toMatch(/ADMIN_PORT/);
    expect(text).not.toContain('short');
  });
});
