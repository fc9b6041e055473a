#!/usr/bin/env bash
# Set up (if needed) and run the annual cycle on the bundled data with embedded defaults
# (SQLite in var/, a temporary local Prefect server). Arguments go to `csp cycle run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DO_NOT_TRACK=1 PREFECT_SERVER_ANALYTICS_ENABLED=false GX_ANALYTICS_ENABLED=false MPLBACKEND=Agg
if [ "$#" -eq 0 ]; then
  set -- --partnership cambridge --cycle 2025-26
fi
.venv/bin/csp cycle run "$@"
