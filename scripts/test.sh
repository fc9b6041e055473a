#!/usr/bin/env bash
# Set up (if needed) and run the linters and the whole test suite, on SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DO_NOT_TRACK=1 PREFECT_SERVER_ANALYTICS_ENABLED=false GX_ANALYTICS_ENABLED=false MPLBACKEND=Agg
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
