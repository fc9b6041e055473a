"""Benchmark: how long the strategic assessment takes, beside plain pandas computing the same counts.

Usage (from the project folder):

    .venv/bin/python benchmarks/assess.py                      # builds a temporary SQLite store
    .venv/bin/python benchmarks/assess.py --database-url URL   # uses a store already ingested
    .venv/bin/python benchmarks/assess.py --charts             # include drawing the charts

Without ``--database-url`` the bundled data of every partnership is ingested into a temporary SQLite
file with ``tasks.ingest.pipeline.ingest_partnership`` (about 10-15 s a partnership). If the ingest
stage is not available, ingest first (``csp ingest -p all``) and pass ``--database-url``.

The assessment is timed without Prefect (``tasks.assess.run.assess_partnership``): loading,
levels, change tests, trends, places, concentration, suppression, findings and writing the metric,
finding (and chart) rows. The pandas baseline reads the same current crime rows from the store and
counts them by category, by month, by MSOA and by LSOA for the assessment period; the ratio says what
the statistics, suppression, findings and provenance cost on top of bare counting. The two sets of
category counts are compared, so the benchmark also checks the assessment's arithmetic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402
from sqlalchemy import select  # noqa: E402

from csp.config import Partnership, load_all  # noqa: E402
from csp.store import models  # noqa: E402
from csp.store.db import get_engine, migrate, session_scope  # noqa: E402
from tasks.assess.run import assess_partnership  # noqa: E402

CYCLE = "2025-26"


def build_store(url: str, configs: list[Partnership]) -> None:
    """Ingest the bundled data of each partnership (reference data first)."""
    try:
        from tasks.ingest.pipeline import configured_kinds, ingest_partnership
    except ImportError as exc:  # pragma: no cover - depends on the ingest stage being present
        sys.exit(f"tasks.ingest is not available ({exc}): run `csp ingest -p all` first and pass "
                 "--database-url")
    for config in configs:
        start = time.perf_counter()
        kinds = [k for k in configured_kinds(config) if k != "boundaries"]  # maps read the file itself
        reports = ingest_partnership(url, config, CYCLE, kinds=kinds, today=dt.date(2026, 1, 15))
        failed = [r for r in reports if r.status == "failed"]
        print(f"  ingested {config.id:<22} {time.perf_counter() - start:6.1f} s"
              + (f"  ({len(failed)} file(s) failed)" if failed else ""))


def pandas_counts(url: str, config: Partnership) -> pd.Series:
    """The baseline: read current crime rows and count them the plain way."""
    period = config.cycle(CYCLE)
    first, last = period.start.start_time.date(), period.end.start_time.date()
    with session_scope(url) as session:
        ids = session.scalars(select(models.InputFile.id).where(
            models.InputFile.partnership_id == config.id, models.InputFile.status == "current",
            models.InputFile.source_kind == "police_uk")).all()
    query = (select(models.CrimeRecord.month, models.CrimeRecord.category, models.CrimeRecord.lsoa_code,
                    models.CrimeRecord.msoa_name)
             .where(models.CrimeRecord.partnership_id == config.id,
                    models.CrimeRecord.input_file_id.in_(ids),
                    models.CrimeRecord.month >= first, models.CrimeRecord.month <= last))
    with get_engine(url).connect() as conn:
        rows = pd.read_sql(query, conn)
    by_category = rows.groupby("category").size()
    rows.groupby(["month", "category"]).size()
    rows.groupby(["msoa_name", "category"]).size()
    rows.groupby(["lsoa_code", "category"]).size()
    return by_category


def stored_counts(url: str, partnership_id: str) -> pd.Series:
    with session_scope(url) as session:
        cycle = session.scalar(select(models.Cycle).where(models.Cycle.partnership_id == partnership_id,
                                                          models.Cycle.name == CYCLE))
        rows = session.execute(select(models.Metric.category, models.Metric.value).where(
            models.Metric.cycle_id == cycle.id, models.Metric.metric == "count",
            models.Metric.source_kind == "police_uk", models.Metric.area_type == "partnership",
            models.Metric.period == "current", models.Metric.category != "All")).all()
    return pd.Series({c: v for c, v in rows if v}, dtype=float)


def timed(function, *args, **kwargs) -> tuple[float, object]:  # noqa: ANN001, ANN002, ANN003
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def run(url: str, configs: list[Partnership], charts: bool, output: Path,
        repeat: int = 1) -> dict[str, tuple[float, float]]:
    """Best of ``repeat`` timings per partnership (assessment, pandas baseline)."""
    times: dict[str, tuple[float, float]] = {}
    for config in configs:
        assess_s = min(timed(assess_partnership, url, config, CYCLE, output_dir=output, charts=charts)[0]
                       for _ in range(repeat))
        pandas_s, counts = min((timed(pandas_counts, url, config) for _ in range(repeat)),
                               key=lambda pair: pair[0])
        stored = stored_counts(url, config.id)
        if not stored.sort_index().equals(counts.astype(float).sort_index()):
            raise SystemExit(f"{config.id}: assessment counts differ from pandas:\n{stored}\n{counts}")
        times[config.id] = (assess_s, pandas_s)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="an ingested store (default: build a temporary one)")
    parser.add_argument("--charts", action="store_true", help="also draw the charts")
    parser.add_argument("--one", default="cambridge", help="the partnership timed alone")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs (default 3)")
    args = parser.parse_args()
    configs = load_all()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate(url)
        if not args.database_url:
            print(f"building a temporary store for {len(configs)} partnerships ...")
            build_store(url, configs)
        one = [c for c in configs if c.id == args.one]
        run(url, one, args.charts, Path(tmp))  # warm-up: imports, first queries
        single = run(url, one, args.charts, Path(tmp), args.repeat)
        every = run(url, configs, args.charts, Path(tmp), args.repeat)
    print(f"\nstrategic assessment ({'with' if args.charts else 'without'} charts) vs plain pandas counts")
    print(f"{'scope':<26} {'assess (s)':>10} {'pandas (s)':>10} {'ratio':>7}")
    rows = [(f"one: {args.one}", *map(sum, zip(*single.values(), strict=True))),
            (f"all {len(every)} partnerships", *map(sum, zip(*every.values(), strict=True)))]
    rows += [(f"  {pid}", a, p) for pid, (a, p) in every.items()]
    for name, assess_s, pandas_s in rows:
        print(f"{name:<26} {assess_s:>10.2f} {pandas_s:>10.3f} {assess_s / pandas_s:>6.0f}x")


if __name__ == "__main__":
    main()
