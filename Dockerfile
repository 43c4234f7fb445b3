# One image recipe for both apps of the pipeline; pick one with the build target:
#
#   docker build --target ingress -t openim-sync-ingress .
#   docker build --target worker  -t openim-sync-worker  .
#
# docker-compose.yml builds both from here. The file uses no BuildKit-only
# syntax, so the classic builder (docker-compose 1.x) can build it too.
# test/deploy/dockerfile.test.ts checks it against the repository, and
# test/deploy/images.test.ts runs what its build stage deploys.

# Node 24 LTS in the images; the code itself runs on Node >= 20.19 (package.json "engines").
ARG NODE_IMAGE=node:24-trixie-slim

# ---------------------------------------------------------------------------
# tools: pnpm and turbo from the npm registry, at the versions the root
# package.json pins ("packageManager", and turbo in the lockfile).
# Not corepack: Node stops bundling it from version 25, and the one bundled
# with Node 20.20 could not verify this pnpm release's signature.
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS tools
ARG PNPM_VERSION=10.34.8
ARG TURBO_VERSION=2.11.11
ENV CI=true \
    TURBO_TELEMETRY_DISABLED=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false
RUN npm install --global pnpm@${PNPM_VERSION} turbo@${TURBO_VERSION}
WORKDIR /repo

# ---------------------------------------------------------------------------
# prune: the part of the workspace the images need, as turbo derives it from
# the package graph (the apps, the CLI and the packages they depend on).
# json/ holds the manifests and the pruned lockfile, full/ the sources.
# ---------------------------------------------------------------------------
FROM tools AS prune
COPY . .
RUN turbo prune @openim-sync/ingress @openim-sync/worker @openim-sync/cli --docker --out-dir /pruned

# ---------------------------------------------------------------------------
# build: install and compile the pruned workspace, then lay out one
# self-contained production folder per image under /out.
# ---------------------------------------------------------------------------
FROM tools AS build
# Manifests first: the dependency layer below is rebuilt only when one of
# them changes, not on every source edit.
COPY --from=prune /pruned/json/ ./
RUN pnpm install --frozen-lockfile
COPY --from=prune /pruned/full/ ./
# The shared compiler settings; turbo prune copies only the packages' own files.
COPY tsconfig.base.json ./
RUN pnpm build

# `pnpm deploy` copies one package with its production dependencies
# (workspace packages included, as plain copies holding their built dist/)
# into a folder that runs without the rest of the repo.
# pnpm 10's default deploy requires `inject-workspace-packages=true`, which
# would change how the whole workspace links its packages during development
# (copies instead of symlinks) and rewrite the lockfile. `--legacy` keeps the
# pre-10 behaviour instead: it resolves from the same frozen lockfile and
# needs no workspace setting.
# The CLI goes into the worker's folder, as cli/: its bin/openim-sync runs it.
RUN pnpm --filter @openim-sync/ingress deploy --prod --legacy /out/ingress \
 && pnpm --filter @openim-sync/worker deploy --prod --legacy /out/worker \
 && pnpm --filter @openim-sync/cli deploy --prod --legacy /out/worker/cli

# ---------------------------------------------------------------------------
# runtime: what both images share.
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# The commit built, when given: --build-arg REVISION=$(git rev-parse HEAD).
ARG REVISION
LABEL org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.revision="${REVISION}"
ENV NODE_ENV=production
WORKDIR /app

# ---------------------------------------------------------------------------
# ingress: receives OpenIM's callbacks over HTTP and appends them to the inbox.
# ---------------------------------------------------------------------------
FROM runtime AS ingress
LABEL org.opencontainers.image.title="openim-sync-ingress" \
      org.opencontainers.image.description="Receives OpenIM Server callbacks and acknowledges them once Redis holds them."
# Files stay owned by root: the app only reads them.
COPY --from=build /out/ingress /app
USER node
EXPOSE 8080
# The admin listener: the dashboard with ADMIN_USER/ADMIN_PASSWORD, /metrics with METRICS_USER/METRICS_PASSWORD.
EXPOSE 8081
# Slim images carry no curl: ask node's own fetch. /healthz says the process
# serves HTTP; /readyz (Redis reachable) is the one for a load balancer.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz', { signal: AbortSignal.timeout(3000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]

# ---------------------------------------------------------------------------
# worker: moves the inbox into the queue and writes events to the sinks. Its
# only HTTP listener is /metrics, /healthz and /readyz on METRICS_PORT (8082).
# `openim-sync` (the CLI: `openim-sync jobs --help`) is on its PATH:
#   docker compose exec worker openim-sync --help
# ---------------------------------------------------------------------------
FROM runtime AS worker
LABEL org.opencontainers.image.title="openim-sync-worker" \
      org.opencontainers.image.description="Syncs queued OpenIM callbacks into the App's backend; ships the openim-sync CLI."
COPY --from=build /out/worker /app
ENV PATH=/app/bin:$PATH
USER node
# The listener starts before the sinks (main.ts), so it answers while the
# worker waits for Postgres; with METRICS_PORT=0 there is nothing to ask.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "const port = process.env.METRICS_PORT || 8082; if (port === '0') process.exit(0); fetch('http://127.0.0.1:' + port + '/healthz', { signal: AbortSignal.timeout(3000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
