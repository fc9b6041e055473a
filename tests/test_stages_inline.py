"""Under the run's own temporary Prefect server a cycle's stages run inside its flow run; against a
real server each stage stays its own sub-flow run (tests/test_annual_cycle.py counts those)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from csp import engines
from csp.settings import PROJECT_ROOT


@pytest.mark.parametrize(("events", "runner", "expected"), [
    ("off", "thread", True),  # the run's own temporary server, stages on threads
    (None, "thread", False),  # a real server (or Prefect's own test server): sub-flow runs
    ("off", "dask", False),  # stages that would take their tasks to a Dask cluster keep their flows
])
def test_stages_run_inline_only_on_the_runs_own_server_with_threads(monkeypatch, events, runner, expected):
    if events is None:
        monkeypatch.delenv(engines.NO_EVENTS, raising=False)
    else:
        monkeypatch.setenv(engines.NO_EVENTS, events)
    monkeypatch.setenv("CSP_TASK_RUNNER", runner)
    assert engines.stages_inline() is expected


def test_a_cycle_on_its_temporary_server_is_one_flow_run_and_its_stages_name_it(tmp_path):
    """The whole Cambridge cycle (to the board pack) on a temporary server: the server holds one flow
    run, the cycle's; every stage ran (papers written) and its stored run names that flow run."""
    code = textwrap.dedent("""
        from sqlalchemy import select
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterStartTime
        from prefect.types import DateTime
        from csp.engines import one_server
        from csp.store import models
        from csp.store.db import session_scope
        from flows.annual_cycle import annual_cycle

        url = "sqlite:///" + {db!r}
        started = DateTime.now("UTC")  # the profile's database keeps earlier runs' flow runs
        with one_server():
            result = annual_cycle("cambridge", "2025-26", database_url=url)
            with get_client(sync_client=True) as client:
                runs = client.read_flow_runs(
                    flow_run_filter=FlowRunFilter(start_time=FlowRunFilterStartTime(after_=started)))
            print("status:", result["status"])
            print("flow runs:", sorted(r.name for r in runs))
            cycle_id = str(runs[0].id)
        with session_scope(url) as session:
            stages = session.execute(select(models.StageRun.stage, models.StageRun.flow_run_id,
                                            models.StageRun.status)).all()
        print("stages:", sorted({{s.stage for s in stages}}))
        print("stages name the cycle's run:", all(s.flow_run_id == cycle_id for s in stages))
        print("stages completed:", {{s.status for s in stages}})
    """).format(db=str(tmp_path / "csp.db"))
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(CSP_VAR_DIR=str(tmp_path / "var"), CSP_OUTPUT_DIR=str(tmp_path / "output"), CSP_TASK_RUNNER="thread")
    run = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "status: waiting for the board" in run.stdout, run.stdout
    assert "flow runs: ['annual-cycle cambridge 2025-26']" in run.stdout, run.stdout
    for stage in ("ingest", "validate", "strategic_assessment", "priorities", "papers", "board"):
        assert f"'{stage}'" in run.stdout.split("stages:")[1].splitlines()[0], run.stdout
    assert "stages name the cycle's run: True" in run.stdout
    assert list((tmp_path / "output" / "cambridge" / "2025-26").rglob("*.docx"))
