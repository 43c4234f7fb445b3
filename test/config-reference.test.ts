// docs/configuration.md and .env.example are generated from the config
// schemas by scripts/config-reference.mjs; this fails when either was edited
// by hand or a schema changed without regenerating them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IngressEnv } from '../apps/ingress/src/config.js';
import { WorkerEnv } from '../apps/worker/src/config.js';
import { configSections, renderEnvExample, renderMarkdown } from '../scripts/config-reference.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (name: string) => readFileSync(join(root, name), 'utf8');
const sections = configSections();
const rows = sections.flatMap((section) => section.rows);
const row = (name: string) => rows.find((r) => r.name === name);

describe('the configuration reference', () => {
  it.each([
    ['docs/configuration.md', () => renderMarkdown(sections)],
    ['.env.example', () => renderEnvExample(sections)],
  ])('%s is what `pnpm docs:config` writes', (file, render) => {
    expect(read(file), `${file} is out of date: run \`pnpm docs:config\` and commit the result`).toBe(render());
  });

  it("documents every variable of the apps' schemas", () => {
    const documented = new Set(rows.map((r) => r.name));
    const names = [...Object.keys(IngressEnv.shape), ...Object.keys(WorkerEnv.shape)];
    expect(names.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('takes the defaults from the schemas, as the variable is written', () => {
    expect(row('METRICS_PORT')?.default).toBe('8082');
    expect(row('RECONCILE_INTERVAL')?.default).toBe('0');
    expect(read('.env.example')).toMatch(/^# RECONCILE_INTERVAL=0$/m);
    expect(row('RETRY_SCHEDULE')?.default).toBe('10s,1m,5m,15m,30m,1h,2h,4h,6h,8h,10h');
    // A default the compose file substitutes, for the variables only it reads.
    expect(row('REDIS_MAXMEMORY')?.default).toBe('1gb');
  });

  it('writes secrets without a value', () => {
    const secrets = rows.filter((r) => r.secret).map((r) => r.name);
    expect(secrets).toEqual(expect.arrayContaining(['CALLBACK_TOKEN', 'ADMIN_PASSWORD', 'OPENIM_ADMIN_SECRET']));
    const envExample = read('.env.example');
    for (const name of secrets) expect(envExample).not.toMatch(new RegExp(`^#?\\s*${name}=.`, 'm'));
  });

  it('says which apps read each variable', () => {
    expect(row('REDIS_URL')?.readBy).toEqual(['ingress', 'worker', '`jobs`']);
    expect(row('DATABASE_URL')?.readBy).toEqual(['worker', '`jobs reconcile`']);
    expect(row('PORT')?.readBy).toEqual(['ingress']);
  });
});
