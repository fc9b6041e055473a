"""Benchmark (2): every partnership's cycle at once, on the default runner and on Dask.

The input is benchmarks/national_data.py (police.uk-shaped files for every force, one partnership
per local authority). ``annual_cycle_all`` runs in a child process under one temporary Prefect
server, store on PostgreSQL (a fresh database per engine), once with the default thread runner and
once on prefect-dask with a LocalCluster of two worker processes (or an existing scheduler with
``--address`` / CSP_DASK_ADDRESS). The stored metrics of the two runs are compared row by row.
The temporary Prefect server keeps its own records on PostgreSQL too (a fresh database): on its
default SQLite file, hundreds of flow runs at once made it answer 503 (database locked).

    .venv/bin/python benchmarks/national.py --months 12                  # all forces (hours here)
    .venv/bin/python benchmarks/national.py --force "Gwent Police" --force "Cambridgeshire Police"
    .venv/bin/python benchmarks/national.py --smoke   # tiny, data stages only, SQLite, no Prefect
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import PYTHON, ROOT, bench_env, child_json, measure, table  # noqa: E402

ADMIN_URL = os.environ.get("CSP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def fresh_database(name: str) -> str:
    from sqlalchemy import create_engine, text

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def stored_metrics(url: str) -> list[tuple]:
    """Every assessment metric, in a comparable form (run ids and row ids left out)."""
    from sqlalchemy import select

    from csp.store import models
    from csp.store.db import session_scope

    m = models.Metric
    with session_scope(url) as session:
        rows = session.execute(select(m.partnership_id, m.source_kind, m.metric, m.category, m.area_type,
                                      m.area_code, m.period, m.value)).all()
    return sorted((tuple("" if v is None else "nan" if v != v else v for v in row) for row in rows), key=repr)


def postgres_active_s(*urls: str) -> float:
    """Seconds PostgreSQL spent executing statements for these (fresh) databases: its own processes'
    share of the machine, which no process of the run counts (``pg_stat_database.active_time``)."""
    from sqlalchemy import create_engine, text

    names = [url.rsplit("/", 1)[1] for url in urls]
    admin = create_engine(ADMIN_URL)
    with admin.connect() as conn:
        total = conn.execute(text("SELECT sum(active_time) FROM pg_stat_database WHERE datname = ANY(:names)"),
                             {"names": names}).scalar()
    admin.dispose()
    return float(total or 0) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--months", type=int, default=12, choices=(12, 24))
    parser.add_argument("--rows-per-month", type=int, default=500_000)
    parser.add_argument("--force", action="append", help="only these forces (default: all)")
    parser.add_argument("--engine", action="append", choices=("thread", "dask"), help="default: both")
    parser.add_argument("--address", default=os.environ.get("CSP_DASK_ADDRESS"), help="existing scheduler")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    from benchmarks.national_data import generate, smoke_data

    with tempfile.TemporaryDirectory(dir=ROOT / "var" if (ROOT / "var").exists() else None) as tmp:
        work = Path(tmp)
        forces = ["Gwent Police"] if args.smoke else args.force
        if args.smoke:
            config_dir, ids = smoke_data(work)
        else:
            config_dir, ids = generate(work / "data", args.months, args.rows_per_month, forces=forces), []
        rows = int((config_dir.parent / "rows.txt").read_text())
        results, metrics, waited = [], {}, []
        for engine in (["smoke"] if args.smoke else args.engine or ["thread", "dask"]):
            if engine == "smoke":
                env = bench_env(work / engine, config_dir)
                run = measure([PYTHON, str(ROOT / "benchmarks" / "stages.py"), *ids], env)
                seconds = child_json(run.output)["seconds"]
                work_s = sum(v for k, v in seconds.items() if k != "start-up")
                postgres_s = 0.0
            else:
                url = fresh_database(f"csp_bench_{engine}")
                prefect_db = fresh_database(f"csp_bench_prefect_{engine}").replace("+psycopg", "+asyncpg")
                env = {**bench_env(work / engine, config_dir, url), "CSP_TASK_RUNNER": "thread",
                       "PREFECT_API_DATABASE_CONNECTION_URL": prefect_db}
                extra = ["--address", args.address] if engine == "dask" and args.address else []
                run = measure([PYTHON, str(ROOT / "benchmarks" / "run_all.py"), "--engine", engine, *extra], env)
                work_s = child_json(run.output)["work_s"]
                metrics[engine] = stored_metrics(url)
                postgres_s = postgres_active_s(url, prefect_db)
            partnerships = len(ids) or len(list(config_dir.glob("[!_]*.yaml")))
            waited.append(f"{engine} {run.cpu_s:,.0f} s")
            results.append((engine, partnerships, f"{rows:,}", run.wall_s, work_s, run.tree_cpu_s, postgres_s,
                            run.machine_cpu_s, run.peak_mib, run.tree_peak_mib, f"{rows / run.wall_s:,.0f}"))
    same = ("yes" if metrics.get("thread") == metrics.get("dask") else "NO") if len(metrics) == 2 else "-"
    scope = "all forces" if not forces else ", ".join(forces)
    table("national" + ("-smoke" if args.smoke else ""),
          f"National run, {args.months} months ({scope})",
          ["engine", "partnerships", "police rows", "wall (s)", "work (s)", "CPU of the run's processes (s)",
           "PostgreSQL executing (s)", "machine busy CPU (s)", "peak MiB (largest process)",
           "peak MiB (all processes)", "rows/s"],
          results, [f"Stored metrics identical between the thread runner and Dask: {same}.",
                    "CPU: user + system of every process of the run (the run, the temporary Prefect server, "
                    "Dask's scheduler, nannies and workers; sampled twice a second); PostgreSQL executing: "
                    "its time executing statements for the run's two databases (pg_stat_database.active_time); "
                    "machine busy CPU: the whole machine over the run (/proc/stat; not the hypervisor's "
                    "steal), on two cores at most twice the wall time. wait4's count alone (the run and the "
                    f"descendants each parent waited for; Dask's workers only when reaped so): {', '.join(waited)}.",
                    "Peak memory: the largest single process of the run (wait4: with Dask, a worker), and all "
                    "the run's processes together (the run, the temporary Prefect server, Dask's scheduler "
                    "and workers; sampled twice a second). PostgreSQL's own processes are not included.",
                    *(["Smoke: tiny Gwent data, data stages only (stages.py), SQLite, no Prefect."]
                      if args.smoke else [])],
          write=not args.smoke)


if __name__ == "__main__":
    main()
