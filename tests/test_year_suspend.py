"""A deployed cycle waits for the board without holding a process: it suspends with a form of the
recommendations, `csp priorities import-decisions` resumes it with the recorded decisions, and on
resume the finished stages come back from their persisted results instead of running again."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from uuid import UUID

import pytest
from typer.testing import CliRunner

from cli.app import app
from csp.config import load_partnership
from csp.settings import PROJECT_ROOT, get_settings
from tests.test_year_cycle import _fill, _text

SERVE = "from flows.annual_cycle import annual_cycle; annual_cycle.serve(name='board-test')"
PRE_BOARD = ("ingest", "assessment", "recommendations", "board pack board-2026-02")


def _wait(client, run_id: UUID, done, seconds: float = 900):  # noqa: ANN001, ANN202 - Prefect client, predicate
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = client.read_flow_run(run_id)
        if run.state is not None and done(run.state):
            return run
        time.sleep(2)
    raise AssertionError(f"flow run {run_id} still {run.state.name if run.state else None}")


def _deployment(client, name: str, seconds: float = 180):  # noqa: ANN001, ANN202
    from prefect.exceptions import ObjectNotFound

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return client.read_deployment_by_name(name)
        except ObjectNotFound:
            time.sleep(1)
    raise AssertionError(f"{name} was not served")


@pytest.mark.usefixtures("prefect_harness", "csp_env")
def test_a_served_cycle_suspends_for_the_board_and_resumes_with_the_decisions(sqlite_url, tmp_path, monkeypatch):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterName,
        FlowRunFilterStartTime,
    )
    from prefect.settings import PREFECT_API_URL
    from prefect.types import DateTime

    started = DateTime.now("UTC")

    from tasks.prioritise.decisions import export_template

    api = PREFECT_API_URL.value()
    monkeypatch.setenv("PREFECT_API_URL", api)
    monkeypatch.setenv("CSP_DATABASE_URL", sqlite_url)
    log = (tmp_path / "serve.log").open("w")
    served = subprocess.Popen([sys.executable, "-c", SERVE], cwd=PROJECT_ROOT, env=dict(os.environ),
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        with get_client(sync_client=True) as client:
            deployment = _deployment(client, "annual-cycle/board-test")
            run = client.create_flow_run_from_deployment(deployment.id, parameters={
                "partnership": "cambridge", "database_url": sqlite_url, "today": "2026-01-15"})
            waiting = _wait(client, run.id, lambda s: s.is_paused() or s.is_final())
            assert waiting.state.name == "Suspended", waiting.state
            assert waiting.name == "annual-cycle cambridge 2025-26"  # the cycle chosen from the date
            form = client.read_flow_run_input(run.id, "suspended-board-cambridge-2025-26-description")
            assert "Emerging" in form and "retain" in form  # the recommendations, listed for the board

            config = load_partnership("cambridge")
            decisions = tmp_path / "decisions.csv"
            export_template(sqlite_url, config, "2025-26", decisions)
            area = _fill(decisions)
            done = CliRunner().invoke(app, ["priorities", "import-decisions", str(decisions), "-p", "cambridge",
                                            "-c", "2025-26"])
            assert done.exit_code == 0 and "resumed the waiting run 'annual-cycle cambridge 2025-26'" in \
                done.output, done.output
            finished = _wait(client, run.id, lambda s: s.is_final())
            assert finished.state.is_completed(), finished.state

            tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])))
            states = {}
            for task_run in tasks:
                states.setdefault(task_run.name, []).append(task_run.state.name)
            for stage in PRE_BOARD:  # ran before the suspension, served from cache after it
                assert sorted(states[stage]) == ["Cached", "Completed"], \
                    (stage, states[stage])
            assert states["plan board-2026-07"] == ["Completed"]
            assessments = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                name=FlowRunFilterName(any_=["strategic-assessment cambridge 2025-26"]),
                start_time=FlowRunFilterStartTime(after_=started)))
            assert len(assessments) == 1  # not re-run as a new sub-run on resume
    finally:
        served.terminate()
        served.wait(60)
        log.close()
    plan = get_settings().output_dir / "cambridge" / "2025-26" / "board-2026-07" / \
        "01 Community Safety Plan 2026-27 (public).docx"
    assert area in _text(plan) and "Sustaining" in _text(plan)
