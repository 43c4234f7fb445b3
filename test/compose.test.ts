// Checks the deployment files (docker-compose.yml, .env.example) against each
// other and against the apps' config schemas. No Docker engine is needed: the
// files are parsed, and `docker-compose config` (which only reads files)
// validates the compose file where that command exists. The Dockerfile's
// checks are in test/deploy/dockerfile.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { IngressEnv } from '../apps/ingress/src/config.js';
import { WorkerEnv } from '../apps/worker/src/config.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (name: string) => readFileSync(join(root, name), 'utf8');

type Json = Record<string, unknown>;

// `merge: true` resolves the `<<: *queue-env` merge keys the way compose does.
const compose = parse(read('docker-compose.yml'), { merge: true }) as Json;
const services = (compose.services ?? {}) as Record<string, Json>;
const envExample = read('.env.example');

/** Names that .env.example documents, set (`NAME=x`) or commented out (`# NAME=x`). */
const documented = new Set([...envExample.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));

function service(name: string): Json {
  const found = services[name];
  expect(found, `service ${name}`).toBeTypeOf('object');
  return found as Json;
}

/** Variable names of a service's environment, in either of compose's two forms. */
function environmentNames(svc: Json): string[] {
  const env = svc.environment;
  if (Array.isArray(env)) return env.map((entry) => String(entry).split('=')[0] ?? '');
  return Object.keys((env ?? {}) as Json);
}

/** A service's depends_on as a map of service → condition (the list form has none). */
function dependencies(svc: Json): Record<string, string | undefined> {
  const deps = svc.depends_on;
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [String(name), undefined]));
  return Object.fromEntries(
    Object.entries((deps ?? {}) as Record<string, Json>).map(([name, spec]) => [name, spec?.condition as string]),
  );
}

/** The command as one string, whether written as a string or a list. */
function commandLine(svc: Json): string {
  const command = svc.command;
  return Array.isArray(command) ? command.join(' ') : String(command ?? '');
}

function findOnPath(command: string): string | undefined {
  const candidates = [`/usr/bin/${command}`, ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, command))];
  return candidates.find((path) => path && existsSync(path));
}

/** Compose's own validator: Debian's docker-compose (CI installs it), or the Docker CLI's `docker compose`. */
function composeCommand(): { file: string; args: string[] } {
  const standalone = findOnPath('docker-compose');
  if (standalone) return { file: standalone, args: [] };
  const docker = findOnPath('docker');
  if (docker && spawnSync(docker, ['compose', 'version']).status === 0) return { file: docker, args: ['compose'] };
  throw new Error('no compose validator: install docker-compose (apt-get install docker-compose) or the Docker CLI');
}

/** docker-compose.yml as compose resolves it with only `env` set: no shell variables, no .env file. */
function resolvedCompose(env: Record<string, string>): Json {
  const dir = mkdtempSync(join(tmpdir(), 'compose-env-'));
  try {
    const envFile = join(dir, 'empty.env');
    writeFileSync(envFile, '');
    const { file, args } = composeCommand();
    const result = spawnSync(file, [...args, '--env-file', envFile, '-f', 'docker-compose.yml', 'config'], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, ...env },
    });
    expect(result.status, result.stderr).toBe(0);
    return parse(result.stdout) as Json;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface PublishedPort {
  /** Host address it is published on; '' for every interface. */
  host: string;
  published: string;
  target: string;
}

/** A resolved `ports` entry, in compose's short (`127.0.0.1:8080:8080/tcp`) or long form. */
function publishedPort(entry: unknown): PublishedPort {
  if (typeof entry === 'object' && entry !== null) {
    const port = entry as Json;
    return { host: String(port.host_ip ?? ''), published: String(port.published), target: String(port.target) };
  }
  const parts = String(entry)
    .replace(/\/(tcp|udp)$/, '')
    .split(':');
  const target = parts.pop() ?? '';
  const published = parts.pop() ?? '';
  return { host: parts.join(':'), published, target };
}

/** Services that start without naming a profile, and those of each profile. */
function servicesByProfile(): Record<string, string[]> {
  const byProfile: Record<string, string[]> = {};
  for (const [name, svc] of Object.entries(services)) {
    for (const profile of (svc.profiles as string[] | undefined) ?? ['(default)']) {
      byProfile[profile] = [...(byProfile[profile] ?? []), name].sort();
    }
  }
  return byProfile;
}

describe('docker-compose.yml', () => {
  it('has the four services, and Prometheus and Grafana in the monitoring profile only', () => {
    expect(servicesByProfile()).toEqual({
      '(default)': ['ingress', 'postgres', 'redis', 'worker'],
      monitoring: ['grafana', 'prometheus'],
    });
  });

  it('runs Redis with an append-only file, no eviction, a healthcheck and a volume', () => {
    const redis = service('redis');
    const command = commandLine(redis);
    expect(command).toMatch(/--appendonly yes\b/);
    expect(command).toMatch(/--maxmemory-policy noeviction\b/);
    // A limit, so Redis refuses writes (and the ingress answers 503 before that) instead of growing until killed.
    expect(command).toMatch(/--maxmemory \$\{REDIS_MAXMEMORY:-\d+[kmg]b\}/);
    expect(JSON.stringify((redis.healthcheck as Json)?.test)).toContain('redis-cli');
    expect(redis.volumes).toEqual(expect.arrayContaining([expect.stringMatching(/^[\w-]+:\/data$/)]));
  });

  it('runs Postgres with a healthcheck and a volume', () => {
    const postgres = service('postgres');
    expect(JSON.stringify((postgres.healthcheck as Json)?.test)).toContain('pg_isready');
    expect(postgres.volumes).toEqual(expect.arrayContaining([expect.stringMatching(/:\/var\/lib\/postgresql\/data$/)]));
  });

  it('keeps the named volumes it mounts', () => {
    const declared = Object.keys((compose.volumes ?? {}) as Json);
    for (const name of ['redis', 'postgres', 'prometheus', 'grafana']) {
      for (const volume of service(name).volumes as string[]) {
        if (!volume.startsWith('./')) expect(declared).toContain(volume.split(':')[0]);
      }
    }
  });

  it('publishes the ingress (its admin listener on loopback only) and starts it once Redis is healthy', () => {
    const ingress = service('ingress');
    expect(ingress.ports).toEqual([expect.stringMatching(/:8080$/), expect.stringMatching(/^127\.0\.0\.1:.+:8081$/)]);
    expect(dependencies(ingress)).toEqual({ redis: 'service_healthy' });
  });

  // Secure by default: with no setting, only this host reaches the callback port, and only
  // INGRESS_BIND widens it; OpenIM in the compose network reaches ingress:8080 either way.
  it('publishes the callback port on the host’s loopback unless INGRESS_BIND widens it', () => {
    const ports = (env: Record<string, string>) => {
      const ingress = (resolvedCompose(env).services as Record<string, Json>).ingress ?? {};
      return ((ingress.ports ?? []) as unknown[]).map(publishedPort);
    };
    expect(ports({})).toEqual([
      { host: '127.0.0.1', published: '8080', target: '8080' },
      { host: '127.0.0.1', published: '8081', target: '8081' },
    ]);
    expect(ports({ INGRESS_BIND: '0.0.0.0', INGRESS_PORT: '9000' })).toEqual([
      { host: '0.0.0.0', published: '9000', target: '8080' },
      { host: '127.0.0.1', published: '8081', target: '8081' },
    ]);
    const ingressEnv = service('ingress').environment as Json;
    expect([ingressEnv.HOST, ingressEnv.PORT]).toEqual(['0.0.0.0', '8080']);
  });

  it('lets the worker scale: no container_name, no ports, waits for Redis and Postgres', () => {
    const worker = service('worker');
    expect(worker).not.toHaveProperty('container_name');
    expect(worker).not.toHaveProperty('ports');
    expect(dependencies(worker)).toEqual({ redis: 'service_healthy', postgres: 'service_healthy' });
    // Its metrics listener is reachable on the stack's network, at the port it listens on.
    const metricsPort = String((worker.environment as Json).METRICS_PORT);
    expect((worker.expose as unknown[]).map(String)).toEqual([metricsPort]);
    expect(metricsPort).not.toBe('9100'); // node_exporter's port on most hosts
  });

  it('points the apps at the services of the stack', () => {
    const ingressEnv = service('ingress').environment as Json;
    const workerEnv = service('worker').environment as Json;
    expect(ingressEnv.REDIS_URL).toBe('redis://redis:6379');
    expect(workerEnv.REDIS_URL).toBe('redis://redis:6379');
    expect(String(workerEnv.DATABASE_URL)).toMatch(/^postgres:\/\/openim_sync:.+@postgres:5432\/openim_sync$/);
    expect(String(workerEnv.SINKS)).toContain('postgres');
  });

  it('gives each app more time to stop than its own shutdown deadline', () => {
    for (const name of ['ingress', 'worker']) {
      const svc = service(name);
      const grace = /^(\d+)s$/.exec(String(svc.stop_grace_period));
      expect(grace, `${name} stop_grace_period`).not.toBeNull();
      const deadlineMs = Number((svc.environment as Json).SHUTDOWN_TIMEOUT_MS);
      expect(Number(grace![1]) * 1000).toBeGreaterThan(deadlineMs);
      expect(svc.restart).toBe('unless-stopped');
    }
  });

  // Docker's json-file driver keeps every line forever unless told otherwise.
  it('rotates every service’s logs: json-file, a size cap and a file count', () => {
    for (const [name, svc] of Object.entries(services)) {
      const logging = svc.logging as { driver?: string; options?: Record<string, string> } | undefined;
      expect(logging?.driver, name).toBe('json-file');
      expect(logging?.options?.['max-size'], name).toMatch(/^\d+[km]$/);
      expect(Number(logging?.options?.['max-file']), name).toBeGreaterThan(1);
    }
  });

  it('pins every image to a minor release, Redis and Postgres on the majors their volumes hold', () => {
    const images = Object.values(services).flatMap((svc) => (svc.image ? [String(svc.image)] : []));
    expect(images.length).toBe(Object.keys(services).length - 2); // all but the two it builds
    for (const image of images) expect(image).toMatch(/^[\w./-]+:v?\d+\.\d+(\.\d+)?(-[a-z][\w.]*)?$/);
    expect(service('redis').image).toMatch(/^redis:7\.\d+-alpine$/);
    expect(service('postgres').image).toMatch(/^postgres:16\.\d+-alpine$/);
  });

  // Compose's own validator needs no engine. CI installs Debian's docker-compose;
  // elsewhere the Docker CLI's `docker compose` plugin does the same.
  it('passes `docker-compose config`', () => {
    const command = composeCommand();
    const result = spawnSync(command.file, [...command.args, '-f', 'docker-compose.yml', 'config', '-q'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
  });
});

describe('docker-compose.yml, monitoring profile', () => {
  const prometheus = service('prometheus');
  const grafana = service('grafana');
  const prometheusYml = parse(read('deploy/prometheus/prometheus.yml')) as { scrape_configs: Json[] };
  /** Host folders a service mounts, by the path they appear at in the container. */
  const mounts = (svc: Json) =>
    Object.fromEntries(
      (svc.volumes as string[]).filter((v) => v.startsWith('./')).map((v) => [v.split(':')[1], v.split(':')[0]]),
    );

  it('pins each image to a release and publishes it on the host’s loopback only', () => {
    for (const svc of [prometheus, grafana]) {
      expect(String(svc.image)).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+$/);
      expect(svc.ports).toEqual([expect.stringMatching(/^127\.0\.0\.1:/)]);
      expect(svc.restart).toBe('unless-stopped');
    }
  });

  it('runs Prometheus on deploy/prometheus, credentials written to a tmpfs by its entrypoint', () => {
    expect(mounts(prometheus)).toEqual({ '/etc/prometheus': './deploy/prometheus' });
    expect(prometheus.entrypoint).toEqual(['/bin/sh', '/etc/prometheus/entrypoint.sh']);
    expect(prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    expect(prometheus.tmpfs).toEqual(['/run/openim-sync']);
    expect(existsSync(join(root, 'deploy/prometheus/entrypoint.sh'))).toBe(true);
  });

  it('gives Prometheus the credential both apps ask for on /metrics, and not the dashboard’s', () => {
    const env = prometheus.environment as Json;
    const ingressEnv = service('ingress').environment as Json;
    const workerEnv = service('worker').environment as Json;
    expect([env.METRICS_USER, env.METRICS_PASSWORD]).toEqual([ingressEnv.METRICS_USER, ingressEnv.METRICS_PASSWORD]);
    expect([env.METRICS_USER, env.METRICS_PASSWORD]).toEqual([workerEnv.METRICS_USER, workerEnv.METRICS_PASSWORD]);
    expect(Object.keys(env).filter((name) => name.startsWith('ADMIN_'))).toEqual([]);
  });

  it('scrapes the ingress’s admin listener and every worker at the ports they listen on', () => {
    const jobs = Object.fromEntries(prometheusYml.scrape_configs.map((c) => [c.job_name, c]));
    const ingressEnv = service('ingress').environment as Json;
    const workerEnv = service('worker').environment as Json;
    expect(jobs['openim-sync-ingress']?.static_configs).toEqual([{ targets: [`ingress:${ingressEnv.ADMIN_PORT}`] }]);
    expect(jobs['openim-sync-worker']?.dns_sd_configs).toEqual([
      { names: ['worker'], type: 'A', port: Number(workerEnv.METRICS_PORT) },
    ]);
  });

  it('provisions Grafana’s data source and the dashboard from deploy/grafana', () => {
    expect(mounts(grafana)).toEqual({
      '/etc/grafana/provisioning': './deploy/grafana/provisioning',
      '/etc/grafana/dashboards': './deploy/grafana/dashboards',
    });
    const home = String((grafana.environment as Json).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH);
    expect(existsSync(join(root, home.replace('/etc/grafana/dashboards', 'deploy/grafana/dashboards')))).toBe(true);
    expect(dependencies(grafana)).toEqual({ prometheus: undefined });
  });
});

describe('.env.example', () => {
  it('gives the ingress and the worker only variables their config schemas read', () => {
    const settings = { ingress: IngressEnv.shape, worker: WorkerEnv.shape };
    for (const [name, shape] of Object.entries(settings)) {
      expect(environmentNames(service(name)).filter((variable) => !(variable in shape))).toEqual([]);
    }
  });

  it("documents every variable of the apps' environment in docker-compose.yml", () => {
    for (const name of ['ingress', 'worker']) {
      for (const variable of environmentNames(service(name))) {
        expect(documented, `${variable} (${name})`).toContain(variable);
      }
    }
  });

  it('documents every variable that docker-compose.yml substitutes', () => {
    const substituted = [...read('docker-compose.yml').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]);
    expect(substituted.length).toBeGreaterThan(0);
    for (const variable of substituted) expect(documented, variable).toContain(variable);
  });

  it("documents every variable that the apps' config schemas read", () => {
    for (const variable of [...Object.keys(IngressEnv.shape), ...Object.keys(WorkerEnv.shape)]) {
      expect(documented, variable).toContain(variable);
    }
  });
});
