#!/usr/bin/env bash
# npm run bench:engine [-- --json] [--commands N] [--warmup N] [--seed S]
# Runs the same seeded workload under Bun and under Node (via tsx), then combines the results.
set -euo pipefail
cd "$(dirname "$0")/../../.."
BUN=node_modules/.bin/bun
bun_json=$("$BUN" packages/engine/bench/bench.ts "$@" | tail -n 1)
node_json=$(node --import tsx packages/engine/bench/bench.ts "$@" | tail -n 1)
exec "$BUN" packages/engine/bench/report.ts "$bun_json" "$node_json" "$@"
