#!/usr/bin/env bash
# `npm test`: make sure the real services are up (start or install what is missing), then run every suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-services.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
node_modules/.bin/bun test --timeout 300000 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One plain closing line that CI and people can read: "N passed, N failed".
passed=$(grep -E '^ *[0-9]+ pass$' "$log" | tail -1 | tr -dc '0-9')
failed=$(grep -E '^ *[0-9]+ fail$' "$log" | tail -1 | tr -dc '0-9')
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
