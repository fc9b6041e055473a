#!/usr/bin/env bash
# Set up (if needed) and run the annual cycle on the bundled data with embedded defaults
# (SQLite in var/, a temporary local Prefect server). Arguments go to `csp cycle run`.
#
# Without arguments it runs the two demonstration cycles:
#   - Cambridge 2025-26 (October 2024 - September 2025; the comparison year is not bundled, so change
#     is stated as "no comparable period" and within-year trends are shown instead);
#   - Newport 2024-25 (July 2023 - June 2024 against July 2022 - June 2023: a real year-on-year
#     comparison on 24 months of Gwent Police data). Validation blocks it because one Crime ID appears in
#     two monthly files as police.uk published them (November 2022 and January 2023, different outcomes);
#     the demonstration accepts that with --accept-incomplete, the data-quality paper lists the problem and
#     every paper states the months present (12 of 12).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DO_NOT_TRACK=1 PREFECT_SERVER_ANALYTICS_ENABLED=false GX_ANALYTICS_ENABLED=false MPLBACKEND=Agg
if [ "$#" -gt 0 ]; then
  exec .venv/bin/csp cycle run "$@"
fi
.venv/bin/csp cycle run --partnership cambridge --cycle 2025-26
.venv/bin/csp cycle run --partnership newport --cycle 2024-25 --accept-incomplete
