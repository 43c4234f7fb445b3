// deploy/prometheus and deploy/grafana: the alert rules pass promtool's check
// and their unit tests, the dashboard's and the KEDA trigger's queries parse,
// and every series the rules and queries name is one the apps export. docker-compose.yml's monitoring
// profile, which loads these files, is checked in test/compose.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { exportedMetrics, readRepoFile, runTool, seriesIn, unknownSeries } from './tools.js';

const PROMTOOL_INSTALL = "install Debian's prometheus package (apt-get install prometheus)";
const promtool = (...args: string[]) => runTool('promtool', args, PROMTOOL_INSTALL);

type Json = Record<string, unknown>;

interface Rule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const alertsText = readRepoFile('deploy/prometheus/alerts.yml');
const rules = ((parse(alertsText) as { groups: Array<{ rules: Rule[] }> }).groups ?? []).flatMap((g) => g.rules);
const ruleTests = parse(readRepoFile('deploy/prometheus/alerts.test.yml')) as {
  rule_files: string[];
  tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
};
const prometheus = parse(readRepoFile('deploy/prometheus/prometheus.yml')) as {
  rule_files: string[];
  scrape_configs: Array<Json & { job_name: string }>;
};
const dashboardText = readRepoFile('deploy/grafana/dashboards/openim-sync.json');
const dashboard = JSON.parse(dashboardText) as { uid: string; panels: Array<Json & { id: number }> };
const exported = exportedMetrics();
const scaledObject = parse(readRepoFile('deploy/kubernetes/worker-scaledobject.yaml')) as {
  spec: { triggers: Array<{ metadata: { query: string } }> };
};
const kedaQuery = scaledObject.spec.triggers[0]?.metadata.query ?? '';

/**
 * Checks PromQL offline: promtool parses each query as a recording rule
 * (Grafana's $__rate_interval becomes a fixed range).
 */
function checkQueries(queries: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'promql-'));
  try {
    const rules = queries.map((expr, n) => ({ record: `query:${n}`, expr: expr.replaceAll('$__rate_interval', '1m') }));
    writeFileSync(join(dir, 'queries.yml'), stringify({ groups: [{ name: 'queries', rules }] }));
    return promtool('check', 'rules', join(dir, 'queries.yml'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('deploy/prometheus/alerts.yml', () => {
  it('passes `promtool check rules`', () => {
    expect(promtool('check', 'rules', 'deploy/prometheus/alerts.yml')).toContain(
      `SUCCESS: ${rules.length} rules found`,
    );
  });

  it('passes its unit tests (`promtool test rules`)', () => {
    expect(promtool('test', 'rules', 'deploy/prometheus/alerts.test.yml')).toContain('SUCCESS');
    expect(ruleTests.rule_files).toEqual(['alerts.yml']);
  });

  it('has a unit test in which each alert fires', () => {
    const fired = new Set(
      ruleTests.tests.flatMap((t) =>
        (t.alert_rule_test ?? []).filter((c) => (c.exp_alerts ?? []).length > 0).map((c) => c.alertname),
      ),
    );
    expect(rules.map((r) => r.alert).filter((name) => !fired.has(name))).toEqual([]);
  });

  it('names only series the apps export', () => {
    const series = seriesIn(rules.map((r) => r.expr).join('\n'));
    expect(series.length).toBeGreaterThan(5);
    expect(unknownSeries(series, exported)).toEqual([]);
  });

  it('watches the backlog, job age, failures, rejects, circuits, Redis memory and reach, and reconciliation', () => {
    const watched = new Set(rules.flatMap((r) => seriesIn(r.expr)));
    for (const series of [
      'openim_sync_inbox_entries',
      'openim_sync_queue_jobs',
      'openim_sync_queue_oldest_waiting_age_seconds',
      'openim_sync_worker_jobs_total',
      'openim_sync_ingress_requests_total',
      'openim_sync_sink_circuit_open',
      'openim_sync_redis_memory_ratio',
      'openim_sync_redis_up',
      'openim_sync_reconcile_groups_total',
    ]) {
      expect(watched, series).toContain(series);
    }
  });

  it('gives every alert a severity and a summary', () => {
    for (const rule of rules) {
      expect(['critical', 'warning', 'info'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
    }
  });

  it('refers to the scrape jobs prometheus.yml defines', () => {
    const jobs = prometheus.scrape_configs.map((c) => c.job_name);
    const referenced = [...alertsText.matchAll(/job="([^"]+)"/g)].map((m) => m[1]);
    expect(referenced.length).toBeGreaterThan(0);
    for (const job of referenced) expect(jobs).toContain(job);
  });
});

describe('deploy/prometheus/prometheus.yml', () => {
  it('loads the alert rules', () => {
    expect(prometheus.rule_files).toEqual(['alerts.yml']);
  });

  it('scrapes with credentials that entrypoint.sh writes from the environment', () => {
    const entrypoint = readRepoFile('deploy/prometheus/entrypoint.sh');
    runTool('sh', ['-n', 'deploy/prometheus/entrypoint.sh'], 'a POSIX shell');
    for (const config of prometheus.scrape_configs) {
      const auth = config.basic_auth as Record<string, string>;
      for (const file of [auth.username_file, auth.password_file]) {
        const name = file?.replace('/run/openim-sync/', '$dir/');
        expect(entrypoint, `${config.job_name}: ${file}`).toContain(`> "${name}"`);
      }
    }
  });
});

describe('deploy/grafana', () => {
  it('names only series the apps export', () => {
    expect(seriesIn(dashboardText).length).toBeGreaterThan(10);
    expect(unknownSeries(seriesIn(dashboardText), exported)).toEqual([]);
  });

  it('queries valid PromQL (promtool parses it)', () => {
    const queries = dashboard.panels.flatMap((p) => ((p.targets ?? []) as Array<{ expr: string }>).map((t) => t.expr));
    expect(checkQueries(queries)).toContain(`SUCCESS: ${queries.length} rules found`);
  });

  it('shows whether each process reaches Redis, and which versions run', () => {
    const series = seriesIn(dashboardText);
    expect(series).toContain('openim_sync_redis_up');
    expect(series).toContain('openim_sync_build_info');
  });

  it('has panels with unique ids, each querying the dashboard’s Prometheus', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const graphs = dashboard.panels.filter((p) => p.type !== 'row');
    expect(graphs.length).toBeGreaterThan(10);
    for (const panel of graphs) {
      const targets = panel.targets as Array<{ expr: string; datasource: Json }>;
      expect(targets.length, String(panel.title)).toBeGreaterThan(0);
      // Grafana's variable of the data source the user picks (the provisioned one by default).
      const variable = ['$', '{datasource}'].join('');
      for (const target of targets) expect(target.datasource).toEqual({ type: 'prometheus', uid: variable });
    }
  });

  it('provisions the Prometheus of the monitoring profile and the dashboards folder', () => {
    const sources = parse(readRepoFile('deploy/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: Json[];
    };
    expect(sources.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
    const providers = parse(readRepoFile('deploy/grafana/provisioning/dashboards/openim-sync.yml')) as {
      providers: Array<{ options: { path: string } }>;
    };
    expect(providers.providers.map((p) => p.options.path)).toEqual(['/etc/grafana/dashboards']);
  });
});

describe('deploy/kubernetes/worker-scaledobject.yaml', () => {
  it('scales on series the apps export, in valid PromQL', () => {
    expect(seriesIn(kedaQuery)).toEqual(['openim_sync_inbox_entries', 'openim_sync_queue_jobs']);
    expect(unknownSeries(seriesIn(kedaQuery), exported)).toEqual([]);
    expect(checkQueries([kedaQuery])).toContain('SUCCESS: 1 rules found');
  });
});
