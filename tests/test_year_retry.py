"""Retry means retry: a deployed cycle whose board-pack stage failed (a broken template) is retried
with `prefect flow-run retry` after the fix; the stages that finished come back from their persisted
results (task state "Cached", no new sub-run) and only the failed stage runs again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from csp.settings import PROJECT_ROOT, get_settings
from tests.test_year_suspend import SERVE, _deployment, _wait

PREFECT = os.path.join(os.path.dirname(sys.executable), "prefect")
DONE_BEFORE = ("ingest", "assessment", "recommendations")


@pytest.mark.usefixtures("prefect_harness", "csp_env")
def test_a_retried_cycle_reruns_only_the_failed_stage(sqlite_url, tmp_path, monkeypatch):
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

    config_dir = tmp_path / "partnerships"
    shutil.copytree(get_settings().config_dir, config_dir)
    original = (config_dir / "cambridge.yaml").read_text(encoding="utf-8")
    (tmp_path / "broken.docx").write_text("not a Word file", encoding="utf-8")
    (config_dir / "cambridge.yaml").write_text(
        original + f"templates:\n  agenda: {tmp_path / 'broken.docx'}\n", encoding="utf-8")
    monkeypatch.setenv("CSP_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())
    log = (tmp_path / "serve.log").open("w")
    served = subprocess.Popen([sys.executable, "-c", SERVE.replace("board-test", "retry-test")],
                              cwd=PROJECT_ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT)
    try:
        with get_client(sync_client=True) as client:
            deployment = _deployment(client, "annual-cycle/retry-test")
            run = client.create_flow_run_from_deployment(deployment.id, parameters={
                "partnership": "cambridge", "cycle": "2025-26", "database_url": sqlite_url, "until": "board"})
            failed = _wait(client, run.id, lambda s: s.is_final())
            assert failed.state.is_failed(), failed.state

            (config_dir / "cambridge.yaml").write_text(original, encoding="utf-8")  # the secretary's fix
            retried = subprocess.run([PREFECT, "flow-run", "retry", str(run.id)], env=dict(os.environ),
                                     capture_output=True, text=True, timeout=300)
            assert retried.returncode == 0, retried.stdout + retried.stderr
            finished = _wait(client, run.id, lambda s: s.is_final() and s.name != "Failed")
            assert finished.state.is_completed(), finished.state

            tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])))
            states: dict[str, list[str]] = {}
            for task_run in sorted(tasks, key=lambda t: t.created):
                states.setdefault(task_run.name, []).append(task_run.state.name)
            for stage in DONE_BEFORE:
                assert states[stage] == ["Completed", "Cached"], (stage, states[stage])
            assert states["board pack board-2026-02"] == ["Failed", "Completed"], states
            for name, count in (("strategic-assessment cambridge 2025-26", 1),
                                ("ingest-and-validate cambridge 2025-26", 1),
                                ("board-papers cambridge 2025-26 board-2026-02", 2)):
                runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                    name=FlowRunFilterName(any_=[name]), start_time=FlowRunFilterStartTime(after_=started)))
                assert len(runs) == count, (name, [r.state.name for r in runs])
    finally:
        served.terminate()
        served.wait(60)
        log.close()
    assert (get_settings().output_dir / "cambridge" / "2025-26" / "board-2026-02" / "manifest.json").exists()
