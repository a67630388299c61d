#!/usr/bin/env bash
# Idempotent: uses running services, starts the ones that are missing. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /tmp
fi
# The deployment tests (infra/test) read docker-compose.yml with Debian's docker-compose and render
# infra/k8s with kubectl's kustomize; bench:e2e's smoke test drives the servers with wrk; install
# them from Debian when missing.
missing=()
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v kubectl >/dev/null || missing+=(kubernetes-client)
command -v wrk >/dev/null || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  echo "[ensure-services] installing ${missing[*]} (apt-get)" >&2
  for _ in 1 2 3 4 5 6; do # the dpkg lock may be busy for a while
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >/dev/null && break
    sleep 10
  done
fi
bash scripts/kafka.sh start # fetches and formats a KRaft broker on first use
[ -f scripts/chromium.sh ] && bash scripts/chromium.sh
[ -f scripts/prometheus.sh ] && bash scripts/prometheus.sh # promtool and Prometheus for the metrics tests
exit 0
