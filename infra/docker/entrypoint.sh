#!/bin/sh
# The container's entrypoint: one image, any process kind (docs/architecture.md#processes).
#   entrypoint.sh api|engine|persister|stream|migrate|platform [args…]   exec that process
#   entrypoint.sh health URL                                            exit 0 when URL answers 200
#   entrypoint.sh --help                                                this text
# ENTRYPOINT_DRY_RUN=1 (or --dry-run as the first argument after the kind) prints the command
# instead of running it. Everything else is configured by the environment (README "Configuration").
# Outside the image it runs from a checkout too (the tests do): paths are relative to the repository
# root, and BUN names the runtime (default: `bun` on PATH).
set -eu
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUN="${BUN:-bun}"

usage() {
  cat <<USAGE
usage: entrypoint.sh KIND [--dry-run] [args...]
kinds:
  api        HTTP API (stateless; run N)            bun apps/api/src/main.ts
  engine     matching engine (one per shard)        bun apps/engine/src/main.ts
  persister  event log -> Postgres                  bun apps/persister/src/main.ts
  stream     Socket.io fan-out (run N)              bun apps/stream/src/main.ts
  migrate    apply the database migrations, exit    bun scripts/migrate.ts
  platform   everything in one process (embedded)   bun apps/platform/src/main.ts
  health URL exit 0 when URL answers 200 (probes)   bun infra/docker/healthcheck.ts URL
USAGE
}

kind="${1:-}"
[ $# -gt 0 ] && shift
case "$kind" in
  api) main=apps/api/src/main.ts ;;
  engine) main=apps/engine/src/main.ts ;;
  persister) main=apps/persister/src/main.ts ;;
  stream) main=apps/stream/src/main.ts ;;
  migrate) main=scripts/migrate.ts ;;
  platform) main=apps/platform/src/main.ts ;;
  health) main=infra/docker/healthcheck.ts ;;
  -h | --help | help) usage; exit 0 ;;
  "") usage >&2; exit 2 ;;
  *) echo "entrypoint: unknown process kind '$kind'" >&2; usage >&2; exit 2 ;;
esac
dry="${ENTRYPOINT_DRY_RUN:-}"
if [ "${1:-}" = "--dry-run" ]; then dry=1; shift; fi
cd "$ROOT"
if [ -n "$dry" ]; then
  echo "$BUN $main $*"
  exit 0
fi
# exec: the process is PID 1's child no more — it receives SIGTERM itself and drains.
exec "$BUN" "$main" "$@"
