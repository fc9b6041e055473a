"""A cycle run again on unchanged data takes the stages whose results still stand without running
their flows; anything they read that changed, or damage to what they wrote, makes them run."""

from __future__ import annotations

import datetime as dt

import pytest
from prefect.artifacts import Artifact
from sqlalchemy import select, update

from csp.orchestration import Unchanged
from csp.settings import get_settings
from csp.store import models
from csp.store.db import session_scope
from flows.annual_cycle import annual_cycle
from tasks.assess.up_to_date import assessment_stands
from tasks.ingest.up_to_date import ingest_stands
from tasks.papers.up_to_date import pack_stands
from tasks.prioritise.up_to_date import recommendations_stand

MEETING = "board-2026-02"


def _stage_rows(url: str) -> list[tuple[str, str, str | None]]:
    with session_scope(url) as session:
        return [tuple(r) for r in session.execute(select(
            models.StageRun.stage, models.StageRun.status, models.StageRun.message).order_by(models.StageRun.id))]


@pytest.mark.usefixtures("prefect_harness", "csp_env")
def test_unchanged_stages_are_taken_as_they_stand(sqlite_url):
    first = annual_cycle("cambridge", "2025-26", database_url=sqlite_url)
    again = annual_cycle("cambridge", "2025-26", database_url=sqlite_url)

    assert again["pack"]["unchanged"] and again["pack"]["folder"] == first["pack"]["folder"]
    assert [p["sha256"] for p in again["pack"]["papers"]] == [p["sha256"] for p in first["pack"]["papers"]]
    summary = Artifact.get("annual-cycle-cambridge-2025-26").data
    for stage in ("ingest", "assessment", "recommendations", f"board pack {MEETING}"):
        assert f"| {stage} | unchanged |" in summary, summary
    # each skipped stage still leaves a completed visit in the year's history, saying why
    notes = [message for stage, status, message in _stage_rows(sqlite_url)[-6:] if status == "completed"]
    assert any("stored assessment stands" in (n or "") for n in notes)
    assert any("stored recommendations stand" in (n or "") for n in notes)
    assert any("pack intact" in (n or "") for n in notes)

    # the checks themselves, as the cycle calls them
    ingest = ingest_stands("cambridge", "2025-26", sqlite_url)
    assert isinstance(ingest, Unchanged) and ingest.result["validation"]["status"] == "validated"
    assert {f["status"] for f in ingest.result["files"]} <= {"unchanged", "skipped"}
    # another month decides which months are due: validating again could say otherwise
    assert ingest_stands("cambridge", "2025-26", sqlite_url, today=dt.date(2031, 1, 15)) is None
    coverage = get_settings().output_dir / "cambridge" / "2025-26" / "data-quality" / "coverage.csv"
    saved = coverage.read_bytes()
    coverage.unlink()  # the report an analyst reads is gone: validate again
    assert ingest_stands("cambridge", "2025-26", sqlite_url) is None
    coverage.write_bytes(saved)
    kept = assessment_stands("cambridge", "2025-26", sqlite_url)
    assert isinstance(kept, Unchanged) and kept.result["metrics"] > 0
    rec = recommendations_stand("cambridge", "2025-26", sqlite_url)
    assert isinstance(rec, Unchanged) and sum(rec.result["areas"].values()) > 0

    # other parameters than those the recommendations were drafted with: the stage runs
    assert recommendations_stand("cambridge", "2025-26", sqlite_url, use_trend=False) is None
    # an edited configuration (its rules for priority areas, say): the stage runs
    import tasks.prioritise.up_to_date as recommendations

    config = recommendations.load_partnership("cambridge")
    edited = config.model_copy(update={"name": config.name + " (edited)"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(recommendations, "load_partnership", lambda _partnership: edited)
        assert recommendations_stand("cambridge", "2025-26", sqlite_url) is None

    # a missing paper: the pack no longer stands (the assessment still does)
    folder = get_settings().output_dir / "cambridge" / "2025-26" / MEETING
    next(folder.glob("*.docx")).unlink()
    assert pack_stands("cambridge", "2025-26", MEETING, database_url=sqlite_url) is None
    assert assessment_stands("cambridge", "2025-26", sqlite_url) is not None

    # a changed metric: the recommendations no longer stand
    with session_scope(sqlite_url) as session:
        metric_id = session.scalar(select(models.Metric.id).where(models.Metric.value > 10).limit(1))
        session.execute(update(models.Metric).where(models.Metric.id == metric_id)
                        .values(value=models.Metric.value + 1))
    assert recommendations_stand("cambridge", "2025-26", sqlite_url) is None

    # a blocked cycle: every stage goes through its flow, which says what to do
    with session_scope(sqlite_url) as session:
        session.execute(update(models.Cycle).values(status="validation_failed"))
    assert assessment_stands("cambridge", "2025-26", sqlite_url) is None
    assert ingest_stands("cambridge", "2025-26", sqlite_url) is None


@pytest.mark.usefixtures("prefect_harness", "csp_env")
def test_a_changed_chart_makes_the_assessment_run(sqlite_url):
    annual_cycle("cambridge", "2025-26", database_url=sqlite_url, until="board")
    charts = get_settings().output_dir / "cambridge" / "2025-26" / "charts"
    chart = next(charts.glob("monthly-*.png"))
    chart.write_bytes(chart.read_bytes() + b"\0")
    assert assessment_stands("cambridge", "2025-26", sqlite_url) is None
