// Writes docs/configuration.md and .env.example from the config schemas: each
// variable's description, default and secrecy live in its schema's `.meta()`,
// so the reference cannot drift from what the apps read. Run `pnpm docs:config`
// (it builds first: the schemas are imported from the packages' dist).
// test/config-reference.test.ts fails when the committed files differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliEnv, ReconcileEnv } from '@openim-sync/cli';
import { databaseEnv, reconcileEnv } from '@openim-sync/projection';
import { queueEnv } from '@openim-sync/queue';
import { describeSettings, metricsAuthEnv } from '@openim-sync/runtime';
import { parse } from 'yaml';
import { adminEnv } from '../apps/ingress/dist/admin/admin-config.js';
import { beforeCallbackEnv } from '../apps/ingress/dist/before-callbacks/before-callback-env.js';
import { IngressEnv } from '../apps/ingress/dist/config.js';
import { securityEnv } from '../apps/ingress/dist/security/security-env.js';
import { serverLimitsEnv } from '../apps/ingress/dist/server-limits.js';
import { WorkerEnv } from '../apps/worker/dist/config.js';
import { metricsEnv } from '../apps/worker/dist/metrics/metrics-config.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Who reads a variable: the apps whose schema holds that very definition. */
const readers = [
  ['ingress', IngressEnv.shape],
  ['worker', WorkerEnv.shape],
  ['`jobs`', CliEnv.shape],
  ['`jobs reconcile`', ReconcileEnv.shape],
];

/** The variables of `shape` that none of `others` defines: an app's own settings. */
function own(shape, others) {
  return Object.fromEntries(Object.entries(shape).filter(([name]) => others.every((other) => !(name in other))));
}

const sections = [
  {
    title: 'Queue',
    source: 'packages/queue/src/settings.ts',
    intro:
      'Every process that touches the queue reads these; the ingress and the worker must agree on REDIS_URL, QUEUE_NAME and QUEUE_PREFIX.',
    shape: queueEnv,
  },
  {
    title: 'Ingress',
    source: 'apps/ingress/src/config.ts',
    intro: "The ingress receives OpenIM's callbacks and acknowledges each once Redis holds it.",
    shape: own(IngressEnv.shape, [queueEnv, beforeCallbackEnv, securityEnv, serverLimitsEnv, adminEnv]),
  },
  {
    title: "Ingress: OpenIM's before-callbacks",
    source: 'apps/ingress/src/before-callbacks/before-callback-env.ts',
    intro:
      'OpenIM waits for the answer to a before-callback (message moderation, join approval...) and obeys it; the ingress never queues one. See docs/openim-compatibility.md, "Before-callbacks".',
    shape: beforeCallbackEnv,
  },
  {
    title: 'Ingress: who may post callbacks',
    source: 'apps/ingress/src/security/security-env.ts',
    intro: 'OpenIM signs nothing, so anyone who can reach the port could post callbacks. See docs/security.md.',
    shape: securityEnv,
  },
  {
    title: 'Ingress: slow or idle clients',
    source: 'apps/ingress/src/server-limits.ts',
    intro:
      'OpenIM gives up on a callback after 5 s: a request still arriving after 3 s is a broken or hostile client holding a socket. See docs/security.md.',
    shape: serverLimitsEnv,
  },
  {
    title: 'Ingress: admin listener (dashboard and /metrics)',
    source: 'apps/ingress/src/admin/admin-config.ts',
    intro:
      'A second listener of the ingress serves the bull-board dashboard at / behind ADMIN_USER/ADMIN_PASSWORD, and Prometheus text at /metrics behind METRICS_USER/METRICS_PASSWORD (the names the worker uses, set once for both apps). Neither credential opens the other surface, and the two must differ. The listener starts when either pair is set; a surface without its pair is not served. Setting a user without its password is an error. Keep it off the public internet. See docs/operating-dashboard-metrics.md.',
    shape: own(adminEnv, [metricsAuthEnv]),
  },
  {
    title: 'Worker',
    source: 'apps/worker/src/config.ts',
    intro: 'The worker moves the inbox into the queue and delivers each event to the sinks.',
    shape: own(WorkerEnv.shape, [queueEnv, metricsEnv, databaseEnv, reconcileEnv]),
  },
  {
    title: "Worker: the projection's Postgres",
    source: 'packages/projection/src/database-config.ts',
    intro: 'The postgres sink and reconciliation keep the projection here.',
    shape: databaseEnv,
  },
  {
    title: 'Worker: metrics and health listener',
    source: 'apps/worker/src/metrics/metrics-config.ts',
    intro:
      'Prometheus scrapes /metrics of the ingress and of every worker with the same METRICS_USER/METRICS_PASSWORD.',
    shape: metricsEnv,
  },
  {
    title: "Worker: reconciliation with OpenIM's REST API",
    source: 'packages/projection/src/reconcile/reconcile-config.ts',
    intro:
      "Compares group_members with OpenIM's own member lists and repairs what dropped callbacks (and invitations, which never send one) left out. See docs/reconciliation.md.",
    shape: reconcileEnv,
  },
];

/** Variables only docker-compose.yml reads; their defaults are the ones it substitutes. */
const composeDescriptions = {
  INGRESS_PORT: 'Host port where the stack publishes the ingress.',
  INGRESS_BIND:
    "Host address the stack publishes the ingress's callback port on: 127.0.0.1 keeps it to this host (OpenIM in the compose network reaches ingress:8080 anyway); 0.0.0.0 takes callbacks from other hosts: set CALLBACK_TOKEN or ALLOWED_IPS first (docs/security.md).",
  ADMIN_PUBLISH_PORT:
    "Host port where the stack publishes the ingress's admin listener, on 127.0.0.1 only (reach it over SSH).",
  REDIS_MAXMEMORY:
    "Redis's maxmemory in the stack (redis-server units: 512mb, 2gb); the host needs 30-50% more (docs/RELIABILITY.md, 'Sizing Redis').",
  POSTGRES_PASSWORD:
    "Password of the stack's Postgres user openim_sync, also put into the worker's DATABASE_URL, so keep it URL-safe. Postgres takes it only when its volume is first created.",
  COMPOSE_PROFILES:
    '`monitoring` adds Prometheus and Grafana (as `docker compose --profile monitoring up -d` does); Prometheus scrapes with METRICS_USER/METRICS_PASSWORD, never with ADMIN_*; see deploy/README.md.',
  PROMETHEUS_PUBLISH_PORT: 'Host port of Prometheus, on 127.0.0.1 only.',
  GRAFANA_PUBLISH_PORT: 'Host port of Grafana, on 127.0.0.1 only.',
  GRAFANA_ADMIN_PASSWORD: "Password of Grafana's admin user; Grafana takes it only when its volume is first created.",
};

/** The compose-only variables with the defaults docker-compose.yml gives them (`${NAME:-default}`). */
function composeSettings(settingNames) {
  const compose = readFileSync(`${root}docker-compose.yml`, 'utf8');
  const defaults = new Map();
  for (const [, name, value] of compose.matchAll(/\$\{([A-Z][A-Z0-9_]*)(?::-([^}]*))?\}/g)) {
    if (!settingNames.has(name)) defaults.set(name, value || undefined);
  }
  const undescribed = [...defaults.keys()].filter((name) => !(name in composeDescriptions));
  if (undescribed.length > 0) throw new Error(`describe ${undescribed.join(', ')} in composeDescriptions`);
  return Object.entries(composeDescriptions).map(([name, description]) => ({
    name,
    description,
    default: defaults.get(name),
    defaultText: undefined,
    secret: false,
    example: undefined,
    readBy: [],
  }));
}

/** Every section with its rows: the settings' docs plus who reads each. */
export function configSections() {
  const documented = sections.map((section) => ({
    ...section,
    rows: describeSettings(section.shape).map((doc) => {
      const readBy = readers.filter(([, shape]) => shape[doc.name] === section.shape[doc.name]).map(([app]) => app);
      if (readBy.length === 0) throw new Error(`${doc.name} (${section.title}) is read by no app`);
      return { ...doc, readBy };
    }),
  }));
  const settingNames = new Set(readers.flatMap(([, shape]) => Object.keys(shape)));
  const compose = {
    title: 'docker compose only',
    source: 'docker-compose.yml',
    intro: 'docker-compose.yml substitutes these; no app reads them.',
    rows: composeSettings(settingNames),
  };
  return [...documented, compose];
}

const cell = (text) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function markdownCells(row) {
  const value = row.defaultText ?? (row.default === undefined ? '—' : `\`${row.default}\``);
  const example = row.example === undefined ? '' : ` Example: \`${row.example}\`.`;
  const readBy = row.readBy.length > 0 ? row.readBy.join(', ') : 'compose';
  return [`\`${row.name}\``, cell(value), readBy, cell(row.description + example)];
}

/** A Markdown table with padded columns, as the formatter (Biome) lays it out. */
function markdownTable(header, body) {
  const width = (text) => [...text].length;
  const widths = header.map((title, i) => Math.max(3, ...[title, ...body.map((cells) => cells[i])].map(width)));
  const line = (cells) => `| ${cells.map((text, i) => text + ' '.repeat(widths[i] - width(text))).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** docs/configuration.md. */
export function renderMarkdown(sectionList = configSections()) {
  const parts = sectionList.map((section) =>
    [
      `## ${section.title}`,
      '',
      `${section.intro} Defined in \`${section.source}\`.`,
      '',
      markdownTable(['variable', 'default', 'read by', 'description'], section.rows.map(markdownCells)),
    ].join('\n'),
  );
  return `# Configuration

<!-- Generated by \`pnpm docs:config\` from the config schemas (each variable's .meta()); edit those, not this file. -->

Every setting is an environment variable. Each app validates its environment
at start and exits with one message listing every bad variable; an empty
value counts as unset, so the default applies. [\`.env.example\`](../.env.example)
holds the same settings as a file to copy. "\`jobs\`" is the \`openim-sync jobs\` CLI
(\`pnpm jobs\`). A variable without a default is off or unset unless given.

${parts.join('\n\n')}
`;
}

/** `text` as `# ` comment lines of at most 100 columns. */
function comment(text) {
  const lines = [];
  let line = '#';
  for (const word of text.replaceAll('`', '').split(/\s+/).filter(Boolean)) {
    if (line.length + 1 + word.length > 100 && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines.join('\n');
}

/** The apps' variables docker-compose.yml sets itself, rather than passing on `${NAME:-}` from .env. */
function setByCompose() {
  const compose = parse(readFileSync(`${root}docker-compose.yml`, 'utf8'), { merge: true });
  const names = ['ingress', 'worker'].flatMap((service) =>
    Object.entries(compose.services[service].environment ?? {})
      .filter(([name, value]) => !new RegExp(`^\\$\\{${name}(:-[^}]*)?\\}$`).test(String(value)))
      .map(([name]) => name),
  );
  return [...new Set(names)];
}

const envHeader = (
  composeSet,
) => `# Settings of the OpenIM callback pipeline, generated by \`pnpm docs:config\` from the config
# schemas (docs/configuration.md has the same as tables). Every one is optional: a line left
# commented out (or set to an empty value) means the default shown, or unset where none is.
#
# docker compose: copy this file to .env beside docker-compose.yml; compose reads it for its
#   \${...} substitutions. Inside the stack, docker-compose.yml itself sets these, so their
#   lines here do not apply there:
${comment(composeSet.join(', ')).replaceAll('# ', '#   ')}
# Without Docker: export the variables, e.g. \`node --env-file=.env scripts/start.mjs\`
#   or \`set -a; . ./.env; set +a\` before \`pnpm start\`.
#
# Secrets are shown without a value and never logged: the logger redacts them and URLs are
# logged with their password masked. Keep the real .env out of git (it is ignored).
`;

/** .env.example: one commented assignment per variable; a name another section set already is referred to. */
export function renderEnvExample(sectionList = configSections()) {
  const seen = new Map();
  const parts = sectionList.map((section) => {
    const readBy = [...new Set(section.rows.flatMap((row) => row.readBy))];
    const heading = `# --- ${section.title} ${'-'.repeat(Math.max(3, 93 - section.title.length))}`;
    const head = [heading, comment(`${section.intro}${readBy.length > 0 ? ` Read by: ${readBy.join(', ')}.` : ''}`)];
    const rows = section.rows.map((row) => {
      const example = row.example === undefined ? '' : ` Example: ${row.example}.`;
      const defaultText = row.defaultText === undefined ? '' : ` Default: ${row.defaultText}.`;
      const description = comment(row.description + defaultText + example);
      const earlier = seen.get(row.name);
      seen.set(row.name, section.title);
      if (earlier !== undefined) {
        const note = `${row.name}: one setting for every app, set above under "${earlier}"; default here: ${row.default ?? 'unset'}.`;
        return `${description}\n${comment(note)}`;
      }
      const value = row.secret || row.defaultText !== undefined ? '' : (row.default ?? '');
      return `${description}\n# ${row.name}=${value}`;
    });
    return [head.join('\n'), ...rows].join('\n\n');
  });
  return `${envHeader(setByCompose())}\n${parts.join('\n\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sectionList = configSections();
  writeFileSync(`${root}docs/configuration.md`, renderMarkdown(sectionList));
  writeFileSync(`${root}.env.example`, renderEnvExample(sectionList));
}
