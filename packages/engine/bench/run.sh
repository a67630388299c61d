#!/usr/bin/env bash
# npm run bench:engine [-- --json] [--commands N] [--warmup N] [--seed S] [--runs R]
# npm run bench:engine -- --shards N [--risk M] [--commands N] ...: sharded vs single (bench/shards.ts, Bun)
# npm run bench:engine -- --shards N [--risk M] --processes: each shard its own process on Redis +
#   Kafka beside the single engine process (apps/engine/bench/shard-processes.ts); add
#   --compare <checkout> for the shard processes of another checkout in the same run (an A/B),
#   --profile <dir> for a Bun --cpu-prof-md profile per process (--profile-format cpuprofile: .cpuprofile),
#   --runs R for R rounds of them in turn (the run of median CPU per command is reported)
# Runs the same seeded workload under Bun and under Node, then combines the results. Node runs an
# esbuild bundle: under tsx every cross-module call goes through a getter, which is not the engine.
set -euo pipefail
cd "$(dirname "$0")/../../.."
BUN=node_modules/.bin/bun
if [[ " $* " == *" --processes "* ]]; then
  exec "$BUN" apps/engine/bench/shard-processes.ts "$@"
fi
if [[ " $* " == *" --shards "* ]]; then
  exec "$BUN" packages/engine/bench/shards.ts "$@"
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
node_modules/.bin/esbuild packages/engine/bench/bench.ts --bundle --platform=node --format=cjs \
  --target=node20 --log-level=warning --outfile="$out/bench.cjs"
bun_json=$("$BUN" packages/engine/bench/bench.ts "$@" | tail -n 1)
# A 64 MB young generation (the engine service should run with the same flag) halves scavenges.
node_json=$(node --max-semi-space-size=64 "$out/bench.cjs" "$@" | tail -n 1)
exec "$BUN" packages/engine/bench/report.ts "$bun_json" "$node_json" "$@"
