#!/bin/sh
# Prometheus reads basic-auth credentials from files, not from the
# environment: write the apps' scrape credential (METRICS_USER and
# METRICS_PASSWORD, the same for the ingress and the workers) into the tmpfs
# that docker-compose.yml mounts at /run/openim-sync, readable by this user
# only, then start Prometheus with the arguments given.
set -eu
umask 077
dir=/run/openim-sync
printf '%s' "${METRICS_USER:-}" > "$dir/metrics-user"
printf '%s' "${METRICS_PASSWORD:-}" > "$dir/metrics-password"
exec /bin/prometheus "$@"
