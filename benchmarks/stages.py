"""Child process for the benchmarks: the data stages (ingest, validate, assess) of some partnerships,
timed stage by stage, without Prefect (its server and task bookkeeping are measured by cycle.py).

Prints one JSON line: seconds per stage, rows read, rows stored, and the process's peak memory.
The store, folders and configuration come from the environment (benchmarks/common.py bench_env).

    .venv/bin/python benchmarks/stages.py cambridge fenland [--docs] [--charts]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.constants import CYCLE, TODAY  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("partnerships", nargs="*", help="ids (default: every configured partnership)")
    parser.add_argument("--docs", action="store_true", help="also build the GX Data Docs")
    parser.add_argument("--charts", action="store_true", help="also draw charts and maps")
    args = parser.parse_args()
    began = time.perf_counter()
    from csp.config import load_all, load_partnership
    from csp.settings import get_settings
    from csp.store.db import migrate
    from tasks.assess.run import assess_partnership
    from tasks.ingest import shared
    from tasks.ingest.pipeline import configured_kinds, ingest_partnership
    from tasks.validate import validate_cycle
    from tasks.validate.runtime import warm

    warm()  # importing GX and building its context is start-up, as importing pandas is for the floor
    import scipy.stats  # noqa: F401 - so are statsmodels and scipy (the assessment imports them on first use)
    import statsmodels.api  # noqa: F401

    configs = [load_partnership(p) for p in args.partnerships] if args.partnerships else load_all()
    url = get_settings().database_url
    migrate(url)
    seconds = {"start-up": time.perf_counter() - began, "ingest": 0.0, "validate": 0.0, "assess": 0.0}
    cpu = {"start-up": time.process_time(), "ingest": 0.0, "validate": 0.0, "assess": 0.0}
    rows_read = rows_stored = 0
    for config in configs:
        start, clock = time.perf_counter(), time.process_time()
        kinds = [k for k in configured_kinds(config) if k != "boundaries"]
        reports = ingest_partnership(url, config, CYCLE, kinds=kinds, today=TODAY)
        failed = [r for r in reports if r.status == "failed"]
        if failed:
            raise SystemExit(f"{config.id}: {failed[0].label}: {failed[0].message}")
        rows_read += sum(r.rows_read for r in reports if r.kind == "police_uk" and r.status == "stored")
        rows_stored += sum(r.rows_accepted for r in reports if r.kind == "police_uk" and r.status == "stored")
        seconds["ingest"] += time.perf_counter() - start
        cpu["ingest"] += time.process_time() - clock
        start, clock = time.perf_counter(), time.process_time()
        validate_cycle(url, config.id, CYCLE, today=TODAY, config=config, build_docs=args.docs)
        seconds["validate"] += time.perf_counter() - start
        cpu["validate"] += time.process_time() - clock
        start, clock = time.perf_counter(), time.process_time()
        assess_partnership(url, config, CYCLE, output_dir=get_settings().output_dir, charts=args.charts)
        seconds["assess"] += time.perf_counter() - start
        cpu["assess"] += time.process_time() - clock
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "rows_read": rows_read, "rows_stored": rows_stored,
                      "partnerships": len(configs), "shared": dict(shared.STATS),
                      "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
