"""The draft-board-papers flow (Prefect harness) and the `csp papers` commands."""

from __future__ import annotations

import uuid
from pathlib import Path

from docx import Document
from sqlalchemy import select, update
from typer.testing import CliRunner

from cli.app import app
from csp.store import models
from csp.store.db import session_scope
from tasks.papers.pack import pack_folder
from tests.papers_helpers import override_template, store_fixture  # noqa: F401 - the "store" fixture

ARGS = ["-p", "cambridge", "-c", "2025-26", "-m", "board-2026-02"]


def _stage_runs(url: str) -> list[tuple[str, str | None, str | None]]:
    with session_scope(url) as session:
        rows = session.scalars(select(models.StageRun).where(models.StageRun.stage == "papers")
                               .order_by(models.StageRun.id)).all()
        return [(r.status, r.flow_run_id, r.message) for r in rows]


def test_flow_drafts_in_parallel_records_publishes_and_reuses_renders(prefect_harness, store):
    from prefect.artifacts import Artifact

    from flows.draft_board_papers import draft_board_papers

    first = draft_board_papers("cambridge", "2025-26", "board-2026-02", database_url=store)
    folder = Path(first["folder"])
    assert len(first["papers"]) == 13 and len(list(folder.glob("*.docx"))) == 13
    (status, run_id, message), = _stage_runs(store)
    assert status == "completed" and run_id and "13 paper(s)" in message
    with session_scope(store) as session:
        assert {p.run_id for p in session.scalars(select(models.Paper))} == {run_id}
    artifact = Artifact.get("board-pack-cambridge-2025-26-board-2026-02")
    assert "03 Strategic Assessment 2025-26 (public).docx" in artifact.data and str(folder) in artifact.data

    again = draft_board_papers("cambridge", "2025-26", "board-2026-02", database_url=store)
    # same store, same templates, the pack intact: no context built, nothing rendered or rewritten
    assert again["unchanged"] and again["reused"] == 13 and again["cached"] == 0
    assert again["papers"] == first["papers"]

    sentence = f"ASB fell ({uuid.uuid4().hex[:8]})."  # unique: renders are cached across tests too
    with session_scope(store) as session:  # the assessment changes one sentence
        session.execute(update(models.Finding).where(models.Finding.theme == "asb")
                        .values(text=sentence, public_text=sentence))
    third = draft_board_papers("cambridge", "2025-26", "board-2026-02", database_url=store)
    changed = {p["file"] for p in third["papers"]} - {p["file"] for p in first["papers"]}
    assert not changed
    before = {p["file"]: p["sha256"] for p in first["papers"]}
    after = {p["file"]: p["sha256"] for p in third["papers"]}
    differ = sorted(name for name in before if before[name] != after[name])
    # the assessment's own sentences are printed in the full assessment only (its Appendix C); the
    # executive summary's findings are worded from the metrics, so it is reused from the cache
    assert differ == ["03 Strategic Assessment 2025-26 (public).docx",
                      "03 Strategic Assessment 2025-26 (restricted).docx"]
    assert third["cached"] == 11
    sa = Document(str(folder / "03 Strategic Assessment 2025-26 (public).docx"))
    assert sentence in [p.text for p in sa.paragraphs]


def test_cli_drafts_and_lists_papers(prefect_harness, store, monkeypatch):
    monkeypatch.setenv("CSP_DATABASE_URL", store)
    runner = CliRunner()
    drafted = runner.invoke(app, ["papers", "draft", *ARGS, "--paper", "agenda", "--paper", "data_quality"])
    assert drafted.exit_code == 0, drafted.output
    assert "cambridge 2025-26 board-2026-02: 3 paper(s)" in drafted.output
    assert "02 Data Quality Report 2025-26 (restricted).docx" in drafted.output
    listing = runner.invoke(app, ["papers", "list", "-p", "cambridge"])
    assert listing.exit_code == 0, listing.output
    folder = pack_folder("cambridge", "2025-26", "board-2026-02")
    lines = [line.strip() for line in listing.output.splitlines()]
    # the meeting's folder, then its papers in pack order, each with when and by which run, then the archives
    start = lines.index(f"board-2026-02  ({folder})")
    run_id = _stage_runs(store)[0][1]
    papers = [line for line in lines[start + 1:] if line.endswith(".docx")]
    assert papers == ["01 Agenda 10 February 2026 (public).docx", "02 Data Quality Report 2025-26 (public).docx",
                      "02 Data Quality Report 2025-26 (restricted).docx"]
    assert sum(f"run {run_id}" in line for line in lines) == 3
    assert "manifest.json" in lines and any(line.endswith("(public).zip") for line in lines)
    checked = runner.invoke(app, ["papers", "check", *ARGS])
    assert checked.exit_code == 0 and checked.output.count("ok  ") == 10


def test_cli_names_a_broken_template_and_writes_nothing(prefect_harness, store, monkeypatch, tmp_path):
    bad = override_template(tmp_path, monkeypatch, "agenda", "Chair: {{ chair_name }}")
    monkeypatch.setenv("CSP_DATABASE_URL", store)
    result = CliRunner().invoke(app, ["papers", "draft", *ARGS])
    assert result.exit_code == 2, result.output
    assert f"template {bad} (agenda): unknown placeholder 'chair_name'" in result.output
    assert "Traceback" not in result.output
    assert not pack_folder("cambridge", "2025-26", "board-2026-02").exists()
    (status, _, message), = _stage_runs(store)
    assert status == "failed" and "chair_name" in message
