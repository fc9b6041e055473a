#!/usr/bin/env bash
# Create .venv and install the project with the pinned working set (constraints.txt).
# Safe to run repeatedly: it reinstalls only when pyproject.toml or constraints.txt change.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
stamp=.venv/.installed
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  "$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
  [ -d .venv ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[dev]"
  echo "$want" > "$stamp"
fi
# Prefect's own database (for the temporary server) is created once here, not inside the first run:
# its migrations take 10-15 s. Skipped when a shared server or database is configured.
prefect_db="${PREFECT_HOME:-$HOME/.prefect}/prefect.db"
if [ -z "${PREFECT_API_URL:-}" ] && [ -z "${PREFECT_API_DATABASE_CONNECTION_URL:-}" ] && [ ! -s "$prefect_db" ]; then
  DO_NOT_TRACK=1 PREFECT_SERVER_ANALYTICS_ENABLED=false .venv/bin/prefect server database upgrade -y >/dev/null
fi
# The project's own modules compiled once (Python does it on first import unless PYTHONDONTWRITEBYTECODE
# is set, as on some CI machines, when every process would compile 25,000 lines again: about 0.6 s of
# each run's start and of each Dask worker's). Quick when nothing changed.
.venv/bin/python -m compileall -q -j 0 cli csp flows tasks >/dev/null
