"""Child process for benchmarks/national.py: ``annual_cycle_all`` over the configured partnerships on
one engine, under one temporary Prefect server (or PREFECT_API_URL), printing one JSON line.

    .venv/bin/python benchmarks/run_all.py --engine thread|dask [--address tcp://...] [--workers 2] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.constants import CYCLE  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=("thread", "dask"), default="thread")
    parser.add_argument("--address", help="an existing Dask scheduler (else a LocalCluster)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker of the LocalCluster")
    args = parser.parse_args()
    start = time.perf_counter()
    from csp.config import load_all
    from csp.engines import one_server, quiet_dask_workers
    from csp.memory import limit_malloc_arenas
    from csp.settings import get_settings
    from csp.store.db import migrate
    from flows.annual_cycle import annual_cycle_all

    limit_malloc_arenas()  # as the command line does, before the cluster's workers are started
    url = get_settings().database_url
    migrate(url)
    ids = [p.id for p in load_all()]
    flow = annual_cycle_all
    with one_server():
        if args.engine == "dask":
            from prefect_dask import DaskTaskRunner

            quiet_dask_workers()  # as csp.engines.task_runner does

            runner = (DaskTaskRunner(address=args.address) if args.address else DaskTaskRunner(
                cluster_kwargs={"n_workers": args.workers, "threads_per_worker": args.threads, "processes": True}))
            flow = annual_cycle_all.with_options(task_runner=runner)
        began = time.perf_counter()
        results = flow(ids, CYCLE, database_url=url)
        work = time.perf_counter() - began
    print(json.dumps({"partnerships": len(results), "work_s": work, "wall_s": time.perf_counter() - start,
                      "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "children_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
