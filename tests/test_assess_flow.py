"""The strategic-assessment flow under Prefect: stage record, run id, artifact, and caching on inputs."""

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, FlowRunFilter, FlowRunFilterId
from sqlalchemy import select

from csp.settings import get_settings
from csp.store import models
from csp.store.db import session_scope
from flows.strategic_assessment import strategic_assessment
from tests.assess_helpers import CURRENT, CYCLE, add_file, add_partner, build_store

ANALYSIS_TASKS = ("assess-analysis", "assess-findings")


def _task_states(flow_run_id) -> dict[str, str]:
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    return {run.name.rsplit("-", 1)[0]: run.state.name for run in runs}  # "assess-levels-a6f"


@pytest.mark.usefixtures("prefect_harness", "csp_env")
def test_flow_stores_records_caches_and_recomputes_after_new_data(sqlite_url):
    build_store(sqlite_url)
    state = strategic_assessment("cambridge", CYCLE, database_url=sqlite_url, return_state=True)
    first = state.result()
    first_run = state.state_details.flow_run_id
    assert first["metrics"] > 500 and first["findings"] > 20 and first["charts"] >= 5
    # the analysis is one task run, not one per step (each is a round of calls to the server)
    assert sorted(_task_states(first_run)) == [
        "assess-analysis", "assess-charts", "assess-findings", "assess-fingerprint", "assess-stage-finish",
        "assess-stage-start", "assess-store", "assess-unchanged"]
    assert any(h.startswith("All police-recorded crime and ASB: 106") for h in first["headline"])
    with session_scope(sqlite_url) as session:
        run_ids = set(session.scalars(select(models.Metric.run_id)).all())
        stages = session.scalars(select(models.StageRun)).all()
        assert run_ids == {str(first_run)}
        assert [(s.stage, s.status, s.flow_run_id) for s in stages] == [
            ("strategic_assessment", "completed", str(first_run))]
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(  # this run's: other tests assess Cambridge 2025-26 too
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["strategic-assessment-cambridge-2025-26"])),
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[first_run])))
    assert artifacts and "All police-recorded crime and ASB: 106" in artifacts[0].data

    # Same stored inputs and the charts still on disk: the stored assessment stands; nothing is
    # recomputed and nothing rewritten (the metric rows keep the first run's id).
    again = strategic_assessment("cambridge", CYCLE, database_url=sqlite_url, return_state=True)
    states = _task_states(again.state_details.flow_run_id)
    assert states["assess-unchanged"] == "Completed" and not set(ANALYSIS_TASKS) & set(states), states
    assert again.result()["metrics"] == first["metrics"] and again.result()["headline"] == first["headline"]
    with session_scope(sqlite_url) as session:
        assert set(session.scalars(select(models.Metric.run_id)).all()) == {str(first_run)}

    # A chart deleted: the analysis is served from Prefect's persisted results, the chart drawn again.
    chart = sorted((get_settings().output_dir / "cambridge" / CYCLE / "charts").glob("*.png"))[0]
    chart.unlink()
    redone = strategic_assessment("cambridge", CYCLE, database_url=sqlite_url, return_state=True)
    states = _task_states(redone.state_details.flow_run_id)
    assert all(states[name] == "Cached" for name in ANALYSIS_TASKS), states
    assert redone.result()["metrics"] == first["metrics"] and chart.exists()

    # A new partner file changes the fingerprint: everything is recomputed.
    with session_scope(sqlite_url) as session:
        file_id = add_file(session, "council_asb", "asb_illustrative.csv", CURRENT, True)
        add_partner(session, file_id, "council_asb", [(m, "Nuisance", 10) for m in CURRENT])
    third = strategic_assessment("cambridge", CYCLE, database_url=sqlite_url, return_state=True)
    states = _task_states(third.state_details.flow_run_id)
    assert all(states[name] == "Completed" for name in ANALYSIS_TASKS), states
    third.result()
    with session_scope(sqlite_url) as session:
        asb = session.scalar(select(models.Metric).where(
            models.Metric.metric == "count", models.Metric.source_kind == "council_asb",
            models.Metric.category == "All", models.Metric.period == "current"))
        assert asb.value == 120
        assert len(session.scalars(select(models.StageRun)).all()) == 4
