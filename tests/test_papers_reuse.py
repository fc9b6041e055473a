"""Re-running the papers stage: what is rebuilt, rendered and rewritten (tasks/papers/inputs.py, reuse.py).

An unchanged re-run builds no context and leaves the pack as it is; a paper missing from the pack is
written again from the kept render; a changed template renders only its paper; a changed decision
rebuilds; after a failed write the re-run writes the same bytes a cold run does.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from docx import Document

import tasks.papers.one_paper as paper_tasks
from csp.config import load_partnership
from tasks.papers.inputs import pack_fingerprint
from tasks.papers.pack import pack_folder, plan_pack
from tasks.prioritise.decisions import DecisionInput, record_decision
from tests.papers_helpers import override_template, store_fixture  # noqa: F401 - the "store" fixture

MEETING = ("cambridge", "2025-26", "board-2026-02")


@pytest.fixture(name="built")
def built_fixture(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every context the flow builds, as (paper, version)."""
    calls: list[tuple[str, str]] = []
    original = paper_tasks.build_context

    def counting(url, config, cycle, meeting, kind, version, pack):  # noqa: ANN001, ANN202
        calls.append((kind, version))
        return original(url, config, cycle, meeting, kind, version, pack)

    monkeypatch.setattr(paper_tasks, "build_context", counting)
    return calls


def _draft(store: str) -> dict:
    from flows.draft_board_papers import draft_board_papers

    return draft_board_papers(*MEETING, database_url=store)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.docx"))}


def test_unchanged_rerun_builds_nothing_and_a_missing_paper_is_written_from_the_kept_render(
        prefect_harness, store, built):
    first = _draft(store)
    folder = Path(first["folder"])
    assert len(built) == 13 and not first["unchanged"]
    cold = _digests(folder)
    manifest = (folder / "manifest.json").read_bytes()

    built.clear()
    again = _draft(store)
    assert built == [] and again["unchanged"] and again["reused"] == 13
    assert again["papers"] == first["papers"]
    assert (folder / "manifest.json").read_bytes() == manifest  # nothing rewritten

    (folder / "05 Priorities 2026-27 (public).docx").unlink()
    third = _draft(store)
    assert built == [] and not third["unchanged"] and third["reused"] == 13
    assert _digests(folder) == cold


def test_after_a_failed_write_the_rerun_writes_what_a_cold_run_writes(prefect_harness, store, built):
    first = _draft(store)
    folder = Path(first["folder"])
    cold = _digests(folder)
    shutil.rmtree(folder)
    folder.write_text("in the way\n")
    with pytest.raises(Exception):  # noqa: B017 - whatever the file system says
        _draft(store)
    folder.unlink()
    built.clear()
    after = _draft(store)
    assert built == [] and after["reused"] == 13
    assert _digests(folder) == cold


def test_a_changed_template_renders_only_its_paper(prefect_harness, store, built, monkeypatch, tmp_path):
    _draft(store)
    override_template(tmp_path, monkeypatch, "priorities", "Edited by the secretary.")
    built.clear()
    result = _draft(store)
    assert built == [("priorities", "public")]
    assert result["reused"] == 12
    paper = pack_folder(*MEETING) / "05 Priorities 2026-27 (public).docx"
    assert "Edited by the secretary." in [p.text for p in Document(str(paper)).paragraphs]


def test_a_recorded_decision_changes_the_fingerprint_and_the_papers(prefect_harness, store, built):
    config = load_partnership("cambridge")
    plan = plan_pack(config, "2025-26", "board-2026-02")
    before = pack_fingerprint(store, config, "2025-26", "board-2026-02", plan.pack)
    first = _draft(store)
    record_decision(store, config, "2025-26", DecisionInput(
        subject="violence", outcome="accepted", reason="Agreed by the Board", meeting="board-2026-02",
        kind="theme"))
    assert pack_fingerprint(store, config, "2025-26", "board-2026-02", plan.pack) != before
    built.clear()
    second = _draft(store)
    assert len(built) == 13 and not second["unchanged"]
    old = {p["file"]: p["sha256"] for p in first["papers"]}
    new = {p["file"]: p["sha256"] for p in second["papers"]}
    assert old["05 Priorities 2026-27 (public).docx"] != new["05 Priorities 2026-27 (public).docx"]
