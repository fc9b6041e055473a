"""Several partnerships side by side on a Dask cluster (prefect-dask) with the shared PostgreSQL store."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from csp.engines import task_runner
from csp.settings import get_settings
from csp.store import models
from csp.store.db import session_scope


def test_runner_is_chosen_by_configuration(monkeypatch):
    from prefect.task_runners import ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    assert isinstance(task_runner(), ThreadPoolTaskRunner)
    monkeypatch.setenv("CSP_TASK_RUNNER", "dask")
    monkeypatch.setenv("CSP_DASK_ADDRESS", "tcp://127.0.0.1:8786")
    runner = task_runner()
    assert isinstance(runner, DaskTaskRunner) and runner.address == "tcp://127.0.0.1:8786"
    monkeypatch.setenv("CSP_TASK_RUNNER", "pool")
    with pytest.raises(ValueError, match="CSP_TASK_RUNNER"):
        task_runner()


def test_partnerships_start_force_by_force_largest_first():
    """The run starts a force's partnerships together (the force's files stay in a worker's cache),
    the force with more data first; an unknown partnership is left for its own task to refuse."""
    from flows.annual_cycle import _folder_bytes, _police_folder, by_force

    ids = ["cambridge", "newport", "fenland", "torfaen", "no-such-partnership", "peterborough"]
    order = by_force(ids)
    assert sorted(order) == sorted(ids)
    folders = [_police_folder(pid) for pid in order]
    runs = [f for i, f in enumerate(folders) if i == 0 or folders[i - 1] != f]
    assert len(runs) == len(set(folders)) == 3  # each force's partnerships next to each other
    sizes = [_folder_bytes(f) for f in runs]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > 0 and sizes[-1] == 0
    assert [p for p in order if _police_folder(p) == _police_folder("cambridge")] == [
        "cambridge", "fenland", "peterborough"]  # given order kept within a force


@pytest.mark.usefixtures("prefect_harness", "csp_env")
def test_two_partnerships_run_in_parallel_on_dask_with_postgresql(postgres_url, monkeypatch):
    from prefect.settings import PREFECT_API_URL
    from prefect_dask import DaskTaskRunner

    from csp.store.db import migrate
    from flows.annual_cycle import annual_cycle_all
    from tests.conftest import _reset_postgres

    if postgres_url is None:
        pytest.skip("no PostgreSQL server reachable (set CSP_TEST_POSTGRES_URL)")
    _reset_postgres(postgres_url)
    migrate(postgres_url)
    # Dask worker processes inherit the environment: point them at this test's Prefect server.
    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())
    runner = DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 1,
                                            "processes": True})
    results = annual_cycle_all.with_options(task_runner=runner)(
        ["east-cambridgeshire", "fenland"], "2025-26", database_url=postgres_url)

    assert [r["partnership"] for r in results] == ["east-cambridgeshire", "fenland"]
    with session_scope(postgres_url) as session:
        papers = session.scalars(select(models.Paper)).all()
        partnerships = {p.cycle_id for p in papers}
        cycles = {c.id: c.partnership_id for c in session.scalars(select(models.Cycle)).all()}
    assert {cycles[c] for c in partnerships} == {"east-cambridgeshire", "fenland"}
    _assert_ran_on_dask_workers_in_parallel(postgres_url, cycles)
    for pid in ("east-cambridgeshire", "fenland"):
        folder = get_settings().output_dir / pid / "2025-26" / "board-2026-02"
        assert (folder / "manifest.json").exists()

    # The same partnerships on the default runner (threads), in a database of their own: every stored
    # metric is the same, value for value.
    from tests.postgres_helpers import create_database, drop_database

    thread_url = create_database()
    try:
        migrate(thread_url)
        annual_cycle_all(["east-cambridgeshire", "fenland"], "2025-26", database_url=thread_url)
        dask_metrics, thread_metrics = _metrics(postgres_url), _metrics(thread_url)
    finally:
        drop_database(thread_url)
    assert len(dask_metrics) > 1000
    assert dask_metrics == thread_metrics


def _metrics(url: str) -> list[tuple]:
    """Every stored metric without its row and run ids."""
    m = models.Metric
    with session_scope(url) as session:
        rows = session.execute(select(m.partnership_id, m.source_kind, m.metric, m.category, m.area_type,
                                      m.area_code, m.period, m.value)).all()
    return sorted((tuple("" if v is None else "nan" if v != v else v for v in row) for row in rows), key=repr)


def _assert_ran_on_dask_workers_in_parallel(url: str, cycles: dict[int, str]) -> None:
    """A sequential stub would pass the checks above; this one would fail it. Each stage run records
    the pid of the process that ran it: the stages must have run in Dask worker processes (not this
    one), on more than one worker, and the two partnerships' work must overlap in time."""
    with session_scope(url) as session:
        runs = session.scalars(select(models.StageRun)).all()
    worker_pids = {r.pid for r in runs} - {os.getpid()}
    assert len(worker_pids) >= 2, f"stages ran in {sorted({r.pid for r in runs})}, test pid {os.getpid()}"
    spans = {}
    for run in runs:
        first, last = spans.get(cycles[run.cycle_id], (run.started_at, run.finished_at or run.started_at))
        spans[cycles[run.cycle_id]] = (min(first, run.started_at), max(last, run.finished_at or run.started_at))
    (a_start, a_end), (b_start, b_end) = spans["east-cambridgeshire"], spans["fenland"]
    assert a_start < b_end and b_start < a_end, f"the partnerships ran one after the other: {spans}"


def test_lanes_keep_a_worker_on_one_force_until_it_is_done():
    """Each lane takes a force no other lane holds; a lane with nothing of its own left takes the next
    free force, and only when none is free joins the force with the most left."""
    from csp.orchestration import GroupLanes

    lanes = GroupLanes([["met1", "met2", "met3", "met4"], ["wm1", "wm2"], ["gw1"]])
    first = [lanes.next_for(0), lanes.next_for(1), lanes.next_for(0), lanes.next_for(1)]
    assert first == ["met1", "wm1", "met2", "wm2"]
    assert lanes.next_for(1) == "gw1"  # its force done: the next free one, not the Met's
    assert lanes.next_for(1) == "met3"  # nothing free: joins the force with the most left
    assert [lanes.next_for(0), lanes.next_for(0), lanes.next_for(1)] == ["met4", None, None]


def test_one_force_is_still_shared_by_two_idle_workers():
    from csp.orchestration import GroupLanes

    lanes = GroupLanes([["east-cambridgeshire", "fenland"]])
    assert [lanes.next_for(0), lanes.next_for(1), lanes.next_for(0)] == ["east-cambridgeshire", "fenland", None]


@pytest.mark.usefixtures("prefect_harness")
def test_each_force_runs_on_one_dask_worker():
    """``_in_lanes`` places each force's partnerships on one worker of a real (in-process) Dask
    cluster; on threads there are no workers to place them on."""
    import time

    from prefect import flow, task
    from prefect_dask import DaskTaskRunner

    from csp.engines import dask_workers
    from flows.annual_cycle import _in_lanes

    @task
    def where(pid: str) -> str:
        import distributed

        time.sleep(0.3)
        return distributed.get_worker().address

    @flow(task_runner=DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 1,
                                                     "processes": False}))
    def run() -> dict[str, str]:
        workers = dask_workers()
        assert len(workers) == 2
        futures = _in_lanes([["a1", "a2", "a3"], ["b1", "b2"]], workers, where.submit)
        return {pid: future.result() for pid, future in futures.items()}

    ran_on = run()
    assert sorted(ran_on) == ["a1", "a2", "a3", "b1", "b2"]
    assert ran_on["a1"] == ran_on["a2"] and ran_on["b1"] == ran_on["b2"] and ran_on["a1"] != ran_on["b1"]

    @flow
    def on_threads() -> list[str]:
        return dask_workers()

    assert on_threads() == []
