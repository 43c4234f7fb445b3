#!/bin/sh
# Prometheus reads basic-auth credentials from files, not from the
# environment: write the apps' credentials into the tmpfs that
# docker-compose.yml mounts at /run/openim-sync, readable by this user only,
# then start Prometheus with the arguments given.
set -eu
umask 077
dir=/run/openim-sync
printf '%s' "${ADMIN_USER:-}" > "$dir/admin-user"
printf '%s' "${ADMIN_PASSWORD:-}" > "$dir/admin-password"
printf '%s' "${METRICS_USER:-}" > "$dir/metrics-user"
printf '%s' "${METRICS_PASSWORD:-}" > "$dir/metrics-password"
exec /bin/prometheus "$@"
