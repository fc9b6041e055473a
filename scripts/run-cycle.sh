#!/usr/bin/env bash
# Set up (if needed) and run the annual cycle on the bundled data with embedded defaults
# (SQLite in var/, a temporary local Prefect server). Arguments go to `csp cycle run`.
#
# Without arguments it runs the two demonstration cycles:
#   - Cambridge 2025-26 (October 2024 - September 2025; the comparison year is not bundled, so change
#     is stated as "no comparable period" and within-year trends are shown instead);
#   - Newport 2024-25 (July 2023 - June 2024 against July 2022 - June 2023: a real year-on-year
#     comparison on 24 months of Gwent Police data). police.uk republished one crime in a later month
#     with a new outcome; validation states it as a warning in the data-quality report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DO_NOT_TRACK=1 PREFECT_SERVER_ANALYTICS_ENABLED=false GX_ANALYTICS_ENABLED=false MPLBACKEND=Agg
if [ "$#" -gt 0 ]; then
  exec .venv/bin/csp cycle run "$@"
fi
.venv/bin/csp cycle run --partnership cambridge --cycle 2025-26
.venv/bin/csp cycle run --partnership newport --cycle 2024-25
