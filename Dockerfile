# One image recipe for both apps of the pipeline; pick one with the build target:
#
#   docker build --target ingress -t openim-sync-ingress .
#   docker build --target worker  -t openim-sync-worker  .
#
# docker-compose.yml builds both from here. The file uses no BuildKit-only
# syntax, so the classic builder (docker-compose 1.x) can build it too.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------
# build: install the workspace, compile every package, and lay out one
# self-contained production folder per app under /out.
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build

# pnpm from the npm registry, at the version that the root package.json pins
# in "packageManager" (test/compose.test.ts checks that the two agree).
# Not corepack: Node 20.20's bundled corepack (0.34) failed to verify this
# pnpm release when tried ("No compatible signature found"), and switching
# its signature check off is no fix.
ARG PNPM_VERSION=10.34.8
ENV CI=true \
    TURBO_TELEMETRY_DISABLED=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false
RUN npm install --global pnpm@${PNPM_VERSION}

WORKDIR /repo

# Manifests first: the dependency layer below is rebuilt only when one of
# these changes, not on every source edit.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml turbo.json tsconfig.base.json ./
COPY apps/ingress/package.json apps/ingress/
COPY apps/worker/package.json apps/worker/
COPY packages/cli/package.json packages/cli/
COPY packages/openim-client/package.json packages/openim-client/
COPY packages/projection/package.json packages/projection/
COPY packages/queue/package.json packages/queue/
COPY packages/runtime/package.json packages/runtime/
COPY packages/schema/package.json packages/schema/
COPY packages/testing/package.json packages/testing/
# The benchmark is a workspace member too: the frozen lockfile lists it.
COPY bench/package.json bench/
RUN pnpm install --frozen-lockfile

COPY apps ./apps
COPY packages ./packages
RUN pnpm build

# `pnpm deploy` copies one app with its production dependencies (workspace
# packages included, as plain copies holding their built dist/) into a folder
# that runs without the rest of the repo.
# pnpm 10's default deploy requires `inject-workspace-packages=true`, which
# would change how the whole workspace links its packages during development
# (copies instead of symlinks) and rewrite the lockfile. `--legacy` keeps the
# pre-10 behaviour instead: it resolves from the same frozen lockfile and
# needs no workspace setting.
RUN pnpm --filter @openim-sync/ingress deploy --prod --legacy /out/ingress \
 && pnpm --filter @openim-sync/worker deploy --prod --legacy /out/worker

# ---------------------------------------------------------------------------
# ingress: receives OpenIM's callbacks over HTTP and enqueues them.
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS ingress
ENV NODE_ENV=production
WORKDIR /app
# Files stay owned by root: the app only reads them.
COPY --from=build /out/ingress /app
USER node
EXPOSE 8080
# The admin listener (dashboard, /metrics); it starts only with ADMIN_USER and ADMIN_PASSWORD.
EXPOSE 8081
# Slim images carry no curl: ask node's own fetch. /healthz says the process
# serves HTTP; /readyz (Redis reachable) is the one for a load balancer.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz', { signal: AbortSignal.timeout(3000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]

# ---------------------------------------------------------------------------
# worker: consumes the queue and writes events to the sinks. Its only HTTP
# listener is /metrics, /healthz and /readyz on METRICS_PORT (8082).
# ---------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS worker
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /out/worker /app
USER node
CMD ["node", "dist/main.js"]
