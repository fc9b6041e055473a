"""Benchmark: rows per second to ingest and validate the bundled police.uk year, against a plain
``pandas.read_csv`` of the same files, so the pipeline's overhead reads as a ratio.

Run: .venv/bin/python benchmarks/ingest.py [--partnership cambridge]
Uses a temporary SQLite store (set CSP_DATABASE_URL to measure PostgreSQL instead).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import pandas as pd

from csp.config import load_partnership
from csp.store.db import migrate
from tasks.ingest.pipeline import ingest_source
from tasks.validate import validate_cycle


def plain_read(folder: Path) -> tuple[int, float]:
    start = time.perf_counter()
    rows = sum(len(pd.read_csv(path)) for path in sorted(folder.glob("*.csv.gz")))
    return rows, time.perf_counter() - start


def pipeline(url: str, partnership: str, cycle: str) -> tuple[int, float, float]:
    config = load_partnership(partnership)
    start = time.perf_counter()
    reports = ingest_source(url, config, cycle, "police_uk", today=dt.date.today())
    ingested = time.perf_counter() - start
    validate_cycle(url, partnership, cycle)
    return sum(r.rows_read for r in reports), ingested, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partnership", default="cambridge")
    parser.add_argument("--cycle", default="2025-26")
    args = parser.parse_args()
    config = load_partnership(args.partnership)
    folder = config.source_path("police_uk")
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("CSP_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.db'}"
        os.environ.setdefault("CSP_VAR_DIR", tmp)
        os.environ.setdefault("CSP_OUTPUT_DIR", tmp)
        migrate(url)
        rows, ingest_s, total_s = pipeline(url, args.partnership, args.cycle)
    plain_rows, plain_s = plain_read(folder)
    print(f"files: {len(list(folder.glob('*.csv.gz')))} police.uk months, {rows:,} rows read")
    print(f"ingest only:           {ingest_s:7.2f} s  {rows / ingest_s:10,.0f} rows/s")
    print(f"ingest + validation:   {total_s:7.2f} s  {rows / total_s:10,.0f} rows/s")
    print(f"plain pandas.read_csv: {plain_s:7.2f} s  {plain_rows / plain_s:10,.0f} rows/s")
    print(f"overhead ratio (pipeline time / read_csv time): {total_s / plain_s:.1f}x")


if __name__ == "__main__":
    main()
