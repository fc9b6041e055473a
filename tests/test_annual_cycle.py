"""The whole annual cycle as Prefect flows on the bundled Cambridge data, end to end."""

from __future__ import annotations

import json
import zipfile

import pytest
from docx import Document
from sqlalchemy import select

from csp import metrics as M
from csp.settings import get_settings
from csp.store import models
from csp.store.db import session_scope
from flows.annual_cycle import annual_cycle


def _text(path) -> str:
    document = Document(str(path))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.mark.usefixtures("prefect_harness", "csp_env")
def test_annual_cycle_from_files_to_board_pack(sqlite_url):
    result = annual_cycle("cambridge", "2025-26", database_url=sqlite_url)
    assert result["meeting"] == "board-2026-02"  # the cycle's first board meeting in configuration
    assert result["status"] == "waiting for the board"  # no decision supplied, no deployment to suspend
    folder = get_settings().output_dir / "cambridge" / "2025-26" / "board-2026-02"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files = {p["file"] for p in manifest["papers"]}
    assert "03 Strategic Assessment 2025-26 (public).docx" in files
    public = {f for f in files if f.endswith("(public).docx")}
    with zipfile.ZipFile(next(folder.glob("*(public).zip"))) as pack:  # one archive per marking
        assert public <= set(pack.namelist())

    with session_scope(sqlite_url) as session:
        cycle = session.scalar(select(models.Cycle))
        total = session.scalar(select(models.Metric.value).where(
            models.Metric.cycle_id == cycle.id, models.Metric.metric == M.COUNT,
            models.Metric.category == "All", models.Metric.source_kind == "police_uk",
            models.Metric.area_type == M.PARTNERSHIP, models.Metric.period == M.CURRENT))
        crimes = session.scalar(select(models.CrimeRecord.id).limit(1))
        stages = {r.stage: r.status for r in session.scalars(select(models.StageRun)).all()}
        recommendations = session.scalars(select(models.Recommendation)).all()
    assert crimes is not None and total > 15_000
    assert f"{int(total):,}" in _text(folder / "03 Strategic Assessment 2025-26 (public).docx")
    assert stages.pop("board") == "waiting"
    assert all(status == "completed" for status in stages.values()), stages
    assert {r.kind for r in recommendations} == {"area", "theme"}

    from prefect.artifacts import Artifact

    summary = Artifact.get("annual-cycle-cambridge-2025-26").data  # one artifact: stages, year, papers
    assert "## The papers" in summary and "| ingest | ran |" in summary
    sa = (folder / "03 Strategic Assessment 2025-26 (public).docx").resolve().as_uri()
    assert f"]({sa})" in summary


@pytest.mark.usefixtures("prefect_harness", "csp_env")
def test_rerunning_a_failed_cycle_redoes_only_what_failed(sqlite_url, tmp_path, monkeypatch):
    import shutil

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName, FlowRunFilterStartTime
    from prefect.types import DateTime

    config_dir = tmp_path / "partnerships"
    shutil.copytree(get_settings().config_dir, config_dir)
    original = (config_dir / "cambridge.yaml").read_text(encoding="utf-8")
    (tmp_path / "broken.docx").write_text("not a Word file", encoding="utf-8")
    (config_dir / "cambridge.yaml").write_text(
        original + f"templates:\n  agenda: {tmp_path / 'broken.docx'}\n", encoding="utf-8")
    monkeypatch.setenv("CSP_CONFIG_DIR", str(config_dir))

    started = DateTime.now("UTC")
    with pytest.raises(Exception, match="agenda"):  # the papers stage stops on the broken template
        annual_cycle("cambridge", "2025-26", database_url=sqlite_url)
    (config_dir / "cambridge.yaml").write_text(original, encoding="utf-8")  # the secretary's fix
    annual_cycle("cambridge", "2025-26", database_url=sqlite_url)

    def runs_of(name: str) -> list:
        with get_client(sync_client=True) as client:
            return client.read_flow_runs(flow_run_filter=FlowRunFilter(
                name=FlowRunFilterName(any_=[name]), start_time=FlowRunFilterStartTime(after_=started)))

    # assessed and recommended once, before the failure: on the re-run both stages still stood, so the
    # cycle took them as they were without starting their flows; the papers stage ran again
    assert len(runs_of("strategic-assessment cambridge 2025-26")) == 1
    assert len(runs_of("recommend-priorities cambridge 2025-26")) == 1
    assert len(runs_of("board-papers cambridge 2025-26 board-2026-02")) == 2
    from prefect.artifacts import Artifact

    summary = Artifact.get("annual-cycle-cambridge-2025-26").data
    assert "| assessment | unchanged | unchanged inputs: the stored assessment stands |" in summary
    assert "| recommendations | unchanged |" in summary and "| board pack board-2026-02 | ran |" in summary
    with session_scope(sqlite_url) as session:
        visits = session.execute(select(models.StageRun.stage, models.StageRun.status, models.StageRun.message)
                                 .where(models.StageRun.stage == "strategic_assessment")
                                 .order_by(models.StageRun.id)).all()
    assert [tuple(v)[:2] for v in visits] == [("strategic_assessment", "completed")] * 2  # both visits kept
    assert "stands" in visits[-1].message
    folder = get_settings().output_dir / "cambridge" / "2025-26" / "board-2026-02"
    assert (folder / "manifest.json").exists()
