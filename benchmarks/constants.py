"""What every benchmark runs: the cycle and the day it is run as (fixed, so runs compare).

Kept apart from benchmarks/common.py, which times the machine when imported: the benchmarks' child
processes (stages.py, run_all.py) need these two and nothing else."""

import datetime as dt

CYCLE = "2025-26"
TODAY = dt.date(2026, 1, 15)
