#!/usr/bin/env bash
# `npm test`: make sure the real services are up (start or install what is missing), then run every suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-services.sh
exec node_modules/.bin/bun test --timeout 120000 "$@"
