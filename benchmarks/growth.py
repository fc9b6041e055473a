"""Benchmark (4): how the data stages grow with months (12, 24) and partnerships (1, 6, all).

Generated input (benchmarks/national_data.py, national volume of rows per force) for the chosen
forces; the data stages (ingest with validation, cycle validation, assessment; benchmarks/stages.py,
no Prefect) run in a fresh process and store for each combination. "6" is the first six partnerships
in configuration order; "all" every partnership of the chosen forces.

    .venv/bin/python benchmarks/growth.py --force "Cambridgeshire Police" --force "Gwent Police"
    .venv/bin/python benchmarks/growth.py --smoke
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import PYTHON, ROOT, bench_env, child_json, measure, table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--force", action="append", help="default: Cambridgeshire Police and Gwent Police")
    parser.add_argument("--rows-per-month", type=int, default=500_000, help="national rows a month")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    from benchmarks.national_data import generate, smoke_data

    forces = ["Gwent Police"] if args.smoke else args.force or ["Cambridgeshire Police", "Gwent Police"]
    month_counts = (12,) if args.smoke else (12, 24)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for months in month_counts:
            if args.smoke:
                config_dir, ids = smoke_data(Path(tmp))
            else:
                config_dir = generate(Path(tmp) / f"data-{months}", months, args.rows_per_month, forces=forces)
                ids = sorted(p.stem for p in config_dir.glob("[!_]*.yaml"))
            scopes = {"1": ids[:1], "6": ids[:6], "all": ids}
            for label, chosen in scopes.items():
                if label == "6" and len(ids) <= 6:
                    continue
                work = Path(tmp) / f"run-{months}-{label}"
                run = measure([PYTHON, str(ROOT / "benchmarks" / "stages.py"), *chosen],
                              {**bench_env(work, config_dir), "CSP_SIDE_PROCESS": "0"})
                result = child_json(run.output)
                seconds = result["seconds"]
                data_s = seconds["ingest"] + seconds["validate"] + seconds["assess"]
                cpu = result["cpu_seconds"]
                rows.append((months, f"{label} ({len(chosen)})", f"{result['rows_read']:,}", seconds["ingest"],
                             seconds["validate"], seconds["assess"], data_s,
                             cpu["ingest"] + cpu["validate"] + cpu["assess"], result["peak_mib"],
                             f"{result['rows_read'] / max(data_s, 1e-9):,.0f}",
                             f"{result['shared']['parsed']}/{result['shared']['parse_hits']}"))
    table("growth" + ("-smoke" if args.smoke else ""), f"Growth of the data stages ({', '.join(forces)})",
          ["months", "partnerships", "police rows read", "ingest (s)", "validate (s)", "assess (s)",
           "data stages (s)", "data stages CPU (s)", "peak MiB", "rows/s", "files parsed/reused"], rows,
          ["Rows read counts each partnership's reading of its force's files (a force's file is parsed "
           "once per process and reused by its other partnerships: 'files parsed/reused')."],
          write=not args.smoke)


if __name__ == "__main__":
    main()
