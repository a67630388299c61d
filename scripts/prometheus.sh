#!/usr/bin/env bash
# Idempotent: installs Debian's prometheus package (prometheus + promtool) for the metrics tests when missing.
set -euo pipefail
if command -v promtool >/dev/null 2>&1 && [ -x /usr/bin/prometheus ]; then exit 0; fi
echo "[prometheus] installing Debian's prometheus package…" >&2
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
for attempt in 1 2 3 4 5 6; do
  if $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null; then break; fi
  echo "[prometheus] apt-get failed (dpkg lock busy?); retrying in 10 s" >&2
  sleep 10
done
# The package starts a system service on :9090; the tests run their own private Prometheus instead.
(systemctl disable --now prometheus >/dev/null 2>&1 || true)
promtool --version >&2
