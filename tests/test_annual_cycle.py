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
    folder = get_settings().output_dir / "cambridge" / "2025-26" / "board-2026-02"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files = {p["file"] for p in manifest["papers"]}
    assert "03 Strategic Assessment 2025-26 (public).docx" in files
    with zipfile.ZipFile(next(folder.glob("*.zip"))) as pack:
        assert files <= set(pack.namelist())

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
    assert all(status == "completed" for status in stages.values()), stages
    assert {r.kind for r in recommendations} == {"area", "theme"}
