"""Benchmark (3): the pandas floor. A plain pandas script computes the same per-partnership numbers as
the data stages (police-recorded counts by category for the assessment year and the year before,
rates per 1,000 residents, year-on-year change) straight from the files; the data stages (ingest with
validation, cycle validation, assessment; benchmarks/stages.py, no Prefect) are timed on the same
files, the ratio reported, and the stored counts compared with the floor's.

    .venv/bin/python benchmarks/floor.py                 # cambridge, bundled data
    .venv/bin/python benchmarks/floor.py -p cambridge -p fenland
    .venv/bin/python benchmarks/floor.py --smoke         # tiny generated data, result not written
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402

from benchmarks.common import CYCLE, PYTHON, ROOT, bench_env, child_json, measure, table  # noqa: E402
from benchmarks.national_data import smoke_data  # noqa: E402

SUFFIX = r"\s+\d{3}[A-Z]$"


def pandas_floor(configs: list) -> dict[str, pd.DataFrame]:  # noqa: ANN001 - csp.config.Partnership
    """Counts, rates and year-on-year change per partnership and category, the plain way.

    A force's files are read once for all its partnerships, as the pipeline now does.
    """
    period = configs[0].cycle(CYCLE)
    previous_start, current_start = period.window_start, period.start
    out: dict[str, pd.DataFrame] = {}
    by_folder: dict[Path, list] = {}
    for config in configs:
        by_folder.setdefault(config.source_path("police_uk"), []).append(config)
    for folder, members in by_folder.items():
        rows = pd.concat([pd.read_csv(p, usecols=["Month", "LSOA name", "Crime type"], dtype=str)
                          for p in sorted(folder.glob("*street*.csv*"))], ignore_index=True)
        month = pd.PeriodIndex(rows["Month"], freq="M")
        rows["year"] = None
        rows.loc[(month >= current_start) & (month <= period.end), "year"] = "current"
        rows.loc[(month >= previous_start) & (month < current_start), "year"] = "previous"
        rows["authority"] = rows["LSOA name"].str.replace(SUFFIX, "", regex=True)
        counts = rows.dropna(subset=["year"]).groupby(["authority", "Crime type", "year"]).size().unstack(fill_value=0)
        residents = _residents_by_authority(members[0].source_path("population"))
        for config in members:
            prefix = config.local_authority.lsoa_name_prefix
            mine = counts.loc[prefix] if prefix in counts.index.get_level_values(0) else pd.DataFrame()
            mine = mine.reindex(columns=["current", "previous"], fill_value=0)
            mine["rate_per_1000"] = mine["current"] / residents.get(config.local_authority.code, float("nan")) * 1000
            mine["change_pct"] = (mine["current"] - mine["previous"]) / mine["previous"].where(mine["previous"] > 0) * 100
            out[config.id] = mine
    return out


def _residents_by_authority(census: Path) -> pd.Series:
    """Census 2021 TS001 output areas summed to their authority through the 2021 LSOA lookup."""
    from benchmarks.national_data import REFERENCE

    people = pd.read_csv(census, usecols=["Parent area code", "Total"])
    lookup = pd.read_csv(REFERENCE / "lsoa2021_ward2024_lad2024_ew.csv.gz", usecols=["lsoa21_code", "ltla24_code"])
    by_lsoa = people.groupby("Parent area code")["Total"].sum()
    return by_lsoa.groupby(lookup.set_index("lsoa21_code")["ltla24_code"].reindex(by_lsoa.index)).sum()


def stored_counts(url: str, partnership_id: str) -> pd.Series:
    from sqlalchemy import select

    from csp.store import models
    from csp.store.db import session_scope

    with session_scope(url) as session:
        cycle = session.scalar(select(models.Cycle).where(models.Cycle.partnership_id == partnership_id,
                                                          models.Cycle.name == CYCLE))
        rows = session.execute(select(models.Metric.category, models.Metric.value).where(
            models.Metric.cycle_id == cycle.id, models.Metric.metric == "count",
            models.Metric.source_kind == "police_uk", models.Metric.area_type == "partnership",
            models.Metric.period == "current", models.Metric.category != "All")).all()
    return pd.Series({c: v for c, v in rows if v}, dtype=float).sort_index()


def compare(env: dict[str, str], ids: list[str], repeats: int = 3) -> tuple[float, float, str]:
    """Time the floor in this process (configuration from ``env``) and compare its counts with the store.

    The floor is a second or two, so the shared machine's hiccups moved the ratio by a fifth from one
    run to the next: it is run ``repeats`` times and the median wall and CPU seconds are reported."""
    import os
    import statistics

    os.environ.update(env)
    from csp.config import load_partnership

    configs = [load_partnership(p) for p in ids]
    walls, cpus = [], []
    for _ in range(repeats):
        start, clock = time.perf_counter(), time.process_time()
        floors = pandas_floor(configs)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - clock)
    seconds, cpu = statistics.median(walls), statistics.median(cpus)
    differ = [pid for pid, frame in floors.items()
              if not stored_counts(env["CSP_DATABASE_URL"], pid).equals(
                  frame["current"][frame["current"] > 0].astype(float).sort_index())]
    return seconds, cpu, ("yes" if not differ else f"no: {', '.join(differ)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-p", "--partnership", action="append", help="default: cambridge")
    parser.add_argument("--config-dir", type=Path, help="CSP_CONFIG_DIR (e.g. generated national data)")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        config_dir, ids = (smoke_data(work) if args.smoke
                           else (args.config_dir, args.partnership or ["cambridge"]))
        # one process, side process off: its CPU seconds are then all the data stages' CPU seconds
        env = {**bench_env(work, config_dir), "CSP_SIDE_PROCESS": "0"}
        run = measure([PYTHON, str(ROOT / "benchmarks" / "stages.py"), *ids], env)
        result = child_json(run.output)
        stages, cpu = result["seconds"], result["cpu_seconds"]
        data_s = stages["ingest"] + stages["validate"] + stages["assess"]
        data_cpu = cpu["ingest"] + cpu["validate"] + cpu["assess"]
        floor_s, floor_cpu, same = compare(env, ids)
    rows = [(", ".join(ids), f"{result['rows_read']:,}", data_s, stages["ingest"], stages["validate"],
             stages["assess"], floor_s, f"{data_s / floor_s:.1f}x", data_cpu, floor_cpu,
             f"{data_cpu / floor_cpu:.1f}x", same)]
    table("floor" + ("-smoke" if args.smoke else ""), "Data stages against the pandas floor",
          ["partnerships", "police rows read", "data stages (s)", "ingest (s)", "validate (s)", "assess (s)",
           "pandas floor (s)", "ratio (wall)", "data stages CPU (s)", "floor CPU (s)", "ratio (CPU)",
           "same counts"], rows,
          ["Data stages: ingest with validation, cycle validation (no Data Docs), assessment without charts, "
           "in one process without Prefect; start-up (imports) excluded from both sides. The pandas floor: "
           "the median of three runs in one process. CPU seconds (user + system) are given beside wall "
           "seconds because the machine is shared."],
          write=not args.smoke)


if __name__ == "__main__":
    main()
