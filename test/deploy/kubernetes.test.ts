// deploy/kubernetes: `kubectl kustomize` builds the base offline, every object
// validates against the Kubernetes (kubernetes-models) and KEDA schemas, and
// the manifests agree with the apps: each variable they set is a setting of
// that app, the values load, secrets come from the Secret, and ports, probes
// and grace periods match the config.
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { IngressEnv, loadConfig as loadIngressConfig } from '../../apps/ingress/src/config.js';
import { loadConfig as loadWorkerConfig, WorkerEnv } from '../../apps/worker/src/config.js';
import { runTool } from './tools.js';

type Json = Record<string, unknown>;
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: Json;
  data?: Record<string, string>;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Probe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  name: string;
  ports: Array<{ name: string; containerPort: number }>;
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  livenessProbe: Probe;
  readinessProbe: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}
interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds: number;
}
interface DeploymentSpec {
  replicas?: number;
  selector: { matchLabels: Json };
  template: { metadata: { labels: Json }; spec: PodSpec };
}

const built = runTool(
  'kubectl',
  ['kustomize', 'deploy/kubernetes'],
  'install kubectl (it has kustomize built in), e.g. Debian’s kubernetes-client',
);
const objects = parseAllDocuments(built).map((doc) => doc.toJS() as K8sObject);

/** Each object's schema, by apiVersion and kind. */
const models: Record<string, (object: K8sObject) => { validate(): void }> = {
  'v1/ConfigMap': (o) => new ConfigMap(o as never),
  'v1/Service': (o) => new Service(o as never),
  'apps/v1/Deployment': (o) => new Deployment(o as never),
  'policy/v1/PodDisruptionBudget': (o) => new PodDisruptionBudget(o as never),
  'keda.sh/v1alpha1/ScaledObject': (o) => new ScaledObject(o as never),
};

function find(kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  expect(found, `${kind} ${name}`).toBeDefined();
  return found!;
}

const deploymentSpec = (app: string) => find('Deployment', `openim-sync-${app}`).spec as unknown as DeploymentSpec;
const container = (app: string) => deploymentSpec(app).template.spec.containers[0]!;

/** The ConfigMaps a container loads (kustomize suffixes their names with a hash), merged in order. */
function configMapValues(c: Container): Record<string, string> {
  const maps = (c.envFrom ?? []).map((ref) => find('ConfigMap', String(ref.configMapRef?.name)).data ?? {});
  expect(maps.length).toBeGreaterThan(0);
  return Object.assign({}, ...maps);
}

/** What the container's environment holds: ConfigMap values, then `env` (secrets as a stand-in value). */
function environment(c: Container, secretValue: (name: string) => string): Record<string, string> {
  const env = configMapValues(c);
  for (const v of c.env ?? []) env[v.name] = v.valueFrom?.secretKeyRef ? secretValue(v.name) : String(v.value);
  return env;
}

/** Stand-ins of the right shape for the values the Secret holds. */
const SECRET_SAMPLES: Record<string, string> = {
  REDIS_URL: 'redis://:password@redis:6379',
  DATABASE_URL: 'postgres://openim_sync:password@postgres:5432/openim_sync',
  CALLBACK_TOKEN: 'x'.repeat(32),
  ADMIN_USER: 'ops',
  ADMIN_PASSWORD: 'a long passphrase',
  METRICS_USER: 'prometheus',
  METRICS_PASSWORD: 'another long passphrase',
};
const sample = (name: string) => SECRET_SAMPLES[name] ?? 'secret';

/** Settings whose values are secrets: they must come from the Secret, never a ConfigMap. */
const SECRET_SETTINGS = [
  'REDIS_URL',
  'DATABASE_URL',
  'CALLBACK_TOKEN',
  'ADMIN_PASSWORD',
  'METRICS_PASSWORD',
  'OPENIM_ADMIN_SECRET',
  'FORWARD_AUTHORIZATION',
  'BEFORE_CALLBACK_AUTHORIZATION',
];

const apps = {
  ingress: { settings: Object.keys(IngressEnv.shape), load: loadIngressConfig },
  worker: { settings: Object.keys(WorkerEnv.shape), load: loadWorkerConfig },
};

describe('deploy/kubernetes', () => {
  it('builds the Deployments, the Service, the budgets, the autoscaler and the settings', () => {
    const names = objects.map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`).sort();
    expect(names).toEqual([
      'ConfigMap/openim-sync-ingress',
      'ConfigMap/openim-sync-queue',
      'ConfigMap/openim-sync-worker',
      'Deployment/openim-sync-ingress',
      'Deployment/openim-sync-worker',
      'PodDisruptionBudget/openim-sync-ingress',
      'PodDisruptionBudget/openim-sync-worker',
      'ScaledObject/openim-sync-worker',
      'Service/openim-sync-ingress',
    ]);
  });

  it.each(objects.map((o) => [`${o.kind} ${o.metadata.name}`, o] as const))('%s validates', (_, object) => {
    const model = models[`${object.apiVersion}/${object.kind}`];
    expect(model, `a schema for ${object.apiVersion} ${object.kind}`).toBeDefined();
    expect(() => model!(object).validate()).not.toThrow();
  });

  describe.each(Object.entries(apps))('the %s', (name, app) => {
    it('sets only variables the app reads, and they load', () => {
      const c = container(name);
      const env = environment(c, sample);
      expect(Object.keys(env).filter((variable) => !app.settings.includes(variable))).toEqual([]);
      expect(() => app.load(env)).not.toThrow();
    });

    it('takes every secret it reads from the Secret, under the variable’s own name', () => {
      const c = container(name);
      const fromSecret = (c.env ?? []).filter((v) => v.valueFrom?.secretKeyRef);
      for (const v of fromSecret) expect(v.valueFrom?.secretKeyRef).toMatchObject({ name: 'openim-sync', key: v.name });
      const secrets = SECRET_SETTINGS.filter((variable) => app.settings.includes(variable));
      expect(fromSecret.map((v) => v.name).sort()).toEqual(expect.arrayContaining(secrets));
      expect(Object.keys(configMapValues(c)).filter((variable) => SECRET_SETTINGS.includes(variable))).toEqual([]);
    });

    it('stops within its grace period: preStop, then the shutdown deadline', () => {
      const spec = deploymentSpec(name).template.spec;
      const c = spec.containers[0]!;
      const deadlineMs = app.load(environment(c, sample)).shutdownTimeoutMs;
      const preStop = c.lifecycle?.preStop?.exec?.command ?? [];
      const pauseMs = preStop[0] === 'sleep' ? Number(preStop[1]) * 1000 : 0;
      expect(preStop.length === 0 || pauseMs > 0, `preStop ${preStop.join(' ')}`).toBe(true);
      expect(spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(pauseMs + deadlineMs);
    });
  });

  it('probes and serves the ingress on the ports its config sets', () => {
    const c = container('ingress');
    const config = loadIngressConfig(environment(c, sample));
    const ports = Object.fromEntries(c.ports.map((p) => [p.name, p.containerPort]));
    expect(ports).toEqual({ http: config.port, admin: config.admin?.port });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    // The endpoint removal reaches every node before the ingress stops accepting.
    expect(c.lifecycle?.preStop?.exec?.command?.[0]).toBe('sleep');
    const service = find('Service', 'openim-sync-ingress').spec as { ports: Json[] };
    expect(service.ports.map((p) => p.targetPort).sort()).toEqual(['admin', 'http']);
  });

  it('gives both apps the same required scrape credential, and the dashboard’s to the ingress only', () => {
    const keys = (name: string) =>
      Object.fromEntries(
        (container(name).env ?? [])
          .filter((v) => v.valueFrom?.secretKeyRef)
          .map((v) => [v.name, v.valueFrom?.secretKeyRef?.optional === true ? 'optional' : 'required']),
      );
    for (const name of ['ingress', 'worker']) {
      // KEDA scales on series of both apps, read through Prometheus: without the credential it scales blind.
      expect(keys(name), name).toMatchObject({ METRICS_USER: 'required', METRICS_PASSWORD: 'required' });
    }
    expect(keys('ingress')).toMatchObject({ ADMIN_USER: 'optional', ADMIN_PASSWORD: 'optional' });
    expect(keys('worker')).not.toHaveProperty('ADMIN_PASSWORD');
    const ingress = loadIngressConfig(environment(container('ingress'), sample)).admin;
    expect(ingress?.metrics).toEqual({
      username: SECRET_SAMPLES.METRICS_USER,
      password: SECRET_SAMPLES.METRICS_PASSWORD,
    });
    expect(ingress?.dashboard).toEqual({
      username: SECRET_SAMPLES.ADMIN_USER,
      password: SECRET_SAMPLES.ADMIN_PASSWORD,
    });
  });

  it('probes the worker on its metrics listener', () => {
    const c = container('worker');
    const config = loadWorkerConfig(environment(c, sample));
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: config.metrics?.port }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
  });

  it('selects each app’s pods with its Service and budget, and leaves the worker count to KEDA', () => {
    for (const name of ['ingress', 'worker']) {
      const spec = deploymentSpec(name);
      expect(spec.template.metadata.labels).toMatchObject(spec.selector.matchLabels);
      const budget = find('PodDisruptionBudget', `openim-sync-${name}`).spec as { selector: { matchLabels: Json } };
      expect(spec.template.metadata.labels).toMatchObject(budget.selector.matchLabels);
    }
    const service = find('Service', 'openim-sync-ingress').spec as { selector: Json };
    expect(deploymentSpec('ingress').template.metadata.labels).toMatchObject(service.selector);
    const scaled = find('ScaledObject', 'openim-sync-worker').spec as { scaleTargetRef: Json; minReplicaCount: number };
    expect(scaled.scaleTargetRef).toEqual({ name: 'openim-sync-worker' });
    expect(scaled.minReplicaCount).toBeGreaterThanOrEqual(1);
    expect(deploymentSpec('worker')).not.toHaveProperty('replicas');
  });
});
