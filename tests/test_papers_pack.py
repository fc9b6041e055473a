"""The board pack as a whole: folder, names, manifest, zip, Paper rows; broken templates and forbidden
content stop the run before anything is written; rendering is deterministic."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select, update

from csp.config import load_partnership
from csp.settings import PROJECT_ROOT
from csp.store import models
from csp.store.db import session_scope
from tasks.papers.context import build_context
from tasks.papers.draft import draft_pack
from tasks.papers.lint import TemplateCheckError
from tasks.papers.pack import PublicationError, list_papers, pack_folder, plan_pack
from tasks.papers.registry import TEMPLATES_DIR
from tasks.papers.render import render_job
from tests.papers_fixtures import CRIME_ID
from tests.papers_helpers import all_text, drafted_fixture, store_fixture, tables  # noqa: F401 - fixtures

EXPECTED_FILES = [
    "01 Agenda 10 February 2026 (public).docx",
    "02 Minutes template 10 February 2026 (public).docx",
    "03 Strategic Assessment 2025-26 (public).docx",
    "03 Strategic Assessment 2025-26 (restricted).docx",
    "04 Strategic Assessment executive summary 2025-26 (public).docx",
    "04 Strategic Assessment executive summary 2025-26 (restricted).docx",
    "05 Priorities 2026-27 (public).docx",
    "06 Community Safety Plan 2026-27 (public).docx",
    "07 Data Quality Report 2025-26 (public).docx",
    "07 Data Quality Report 2025-26 (restricted).docx",
    "08 Terms of Reference 2026-27 (public).docx",
    "09 Action log 10 February 2026 (public).docx",
    "10 End of Year Financial Report 10 February 2026 (public).docx",
]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_pack_folder_holds_every_paper_manifest_and_one_zip(drafted):
    folder = drafted.folder
    assert folder == pack_folder("cambridge", "2025-26", "board-2026-02")
    assert sorted(p.name for p in folder.glob("*.docx")) == EXPECTED_FILES
    assert not list(folder.glob(".*.tmp"))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (manifest["partnership"], manifest["cycle"], manifest["meeting"]) == ("cambridge", "2025-26",
                                                                                   "board-2026-02")
    assert manifest["run"]["flow_run_id"] == "run-42"
    assert manifest["run"]["source_runs"] == ["assess-run-1", "priorities-run-1"]
    for entry in manifest["papers"]:
        assert entry["sha256"] == _sha(folder / entry["file"])
        assert not Path(entry["template"]).is_absolute()  # no path of the drafting machine
        assert entry["template_sha256"] == _sha(PROJECT_ROOT / entry["template"])
    sa = next(e for e in manifest["papers"] if e["paper"] == "strategic_assessment" and e["version"] == "public")
    names = {f["name"]: f for f in manifest["input_files"]}
    assert set(names) == {"2025-09-cambridgeshire-street.csv.gz", "census2011_lsoa_population_ew.csv.gz",
                          "ambulance_assault_callouts.csv"}
    police = names["2025-09-cambridgeshire-street.csv.gz"]
    assert (police["sha256"], police["rows_read"], police["rows_accepted"]) == ("1" * 64, 1000, 990)
    assert set(sa["input_file_ids"]) == {f["id"] for f in manifest["input_files"]}
    assert sorted(p.name for p in folder.glob("*.zip")) == [
        "cambridge 2025-26 board-2026-02 board pack (public).zip",
        "cambridge 2025-26 board-2026-02 board pack (restricted).zip"]
    for version in ("public", "restricted"):
        with zipfile.ZipFile(folder / f"cambridge 2025-26 board-2026-02 board pack ({version}).zip") as pack:
            papers = [n for n in EXPECTED_FILES if n.endswith(f"({version}).docx")]
            assert sorted(pack.namelist()) == sorted([*papers, "manifest.json"])  # never both markings
            assert {p["version"] for p in json.loads(pack.read("manifest.json"))["papers"]} == {version}
            assert pack.read(papers[0]) == (folder / papers[0]).read_bytes()
            # a paper is a zip already: stored as it is; the manifest (text) deflated
            kinds = {i.filename: i.compress_type for i in pack.infolist()}
            assert {kinds[name] for name in papers} == {zipfile.ZIP_STORED}
            assert kinds["manifest.json"] == zipfile.ZIP_DEFLATED


def test_a_restricted_version_is_kept_only_where_it_adds_content(drafted):
    from tasks.papers.common import Built
    from tasks.papers.pack import keep_jobs
    from tasks.papers.registry import PaperJob

    jobs = tuple(PaperJob("sa_summary", v, 4, "S", "2025-26", "t", "x") for v in ("public", "restricted"))
    same = [Built({"marking": m, "version": v, "is_public": v == "public", "rows": ["12"]})
            for m, v in (("OFFICIAL", "public"), ("OFFICIAL-SENSITIVE", "restricted"))]
    assert keep_jobs(jobs, same) == [0]
    differs = [same[0], Built({**same[1].context, "rows": ["3"]})]
    assert keep_jobs(jobs, differs) == [0, 1]
    for restricted in drafted.folder.glob("*(restricted).docx"):  # each one drafted says more
        public = restricted.with_name(restricted.name.replace("(restricted)", "(public)"))
        strip = lambda p: all_text(p).replace("OFFICIAL-SENSITIVE", "").replace("OFFICIAL", "")  # noqa: E731
        assert strip(restricted) != strip(public), restricted.name
        assert "Not for publication" in all_text(restricted)
        assert "Not for publication" not in all_text(public)


def test_paper_rows_record_where_when_and_which_run(drafted):
    with session_scope(drafted.url) as session:
        rows = session.scalars(select(models.Paper).order_by(models.Paper.id)).all()
        recorded = {(r.paper, r.version): (r.path, r.sha256, r.run_id, r.meeting) for r in rows}
    assert len(recorded) == len(EXPECTED_FILES)
    path, digest, run, meeting = recorded[("strategic_assessment", "restricted")]
    assert Path(path) == drafted.folder / EXPECTED_FILES[3]
    assert digest == _sha(Path(path)) and run == "run-42" and meeting == "board-2026-02"
    listing = list_papers(drafted.url, "cambridge", "2025-26")
    assert {(p.paper, p.version) for p in listing} == set(recorded)
    assert all(p.exists and p.run_id == "run-42" for p in listing)


def test_rendering_twice_gives_the_same_document(drafted):
    config = load_partnership("cambridge")
    plan = plan_pack(config, "2025-26", "board-2026-02", ["strategic_assessment"])
    for job in plan.jobs:
        first = render_job(job, build_context(drafted.url, config, "2025-26", "board-2026-02", job.kind,
                                              job.version, plan.pack), config.name, plan.meeting_date)
        second = render_job(job, build_context(drafted.url, config, "2025-26", "board-2026-02", job.kind,
                                               job.version, plan.pack), config.name, plan.meeting_date)
        assert first.data == second.data  # bytes, so text and tables too
        on_disk = drafted.folder / job.file_name.replace("01 ", "03 ", 1)  # alone, it is paper 01
        assert first.sha256 == _sha(on_disk)


def test_a_paper_rendered_on_the_side_process_is_the_same_document(drafted, monkeypatch):
    """One paper at a time goes to the side process (csp/side_process.py): the same bytes come back; a
    failure there is rendered here instead."""
    from concurrent.futures import Future

    from csp import side_process
    from tasks.papers import one_paper as paper_tasks

    config = load_partnership("cambridge")
    plan = plan_pack(config, "2025-26", "board-2026-02", ["strategic_assessment"])
    job = plan.jobs[0]
    built = build_context(drafted.url, config, "2025-26", "board-2026-02", job.kind, job.version, plan.pack)
    here = render_job(job, built, config.name, plan.meeting_date)
    monkeypatch.setenv("CSP_SIDE_PROCESS", "1")
    assert side_process.start()
    sent = []
    real_submit = side_process.submit
    monkeypatch.setattr(side_process, "submit", lambda *args: sent.append(args[1]) or real_submit(*args))
    assert paper_tasks.render_one_at_a_time(job, built, config.name, plan.meeting_date) == here
    assert sent == [job]

    def failed(*_args):
        future = Future()
        future.set_exception(RuntimeError("the side process failed"))
        return future

    monkeypatch.setattr(side_process, "submit", failed)
    assert paper_tasks.render_one_at_a_time(job, built, config.name, plan.meeting_date) == here


def _override(config, kind: str, path: Path):
    return config.model_copy(update={"templates": {kind: str(path)}})


def _nothing_written(url: str) -> None:
    assert not pack_folder("cambridge", "2025-26", "board-2026-02").exists()
    with session_scope(url) as session:
        assert session.scalars(select(models.Paper)).all() == []


def test_unknown_placeholder_stops_the_run_before_any_paper_is_written(store, tmp_path):
    bad = tmp_path / "sa.docx"
    shutil.copy(TEMPLATES_DIR / "strategic_assessment.docx", bad)
    document = Document(str(bad))
    document.add_paragraph("{{ crime_total }}")
    document.save(str(bad))
    config = _override(load_partnership("cambridge"), "strategic_assessment", bad)
    with pytest.raises(TemplateCheckError) as error:
        draft_pack(store, config, "2025-26", "board-2026-02")
    assert f"template {bad} (strategic_assessment): unknown placeholder 'crime_total'" in str(error.value)
    _nothing_written(store)


def test_a_corrupt_template_stops_the_run_and_nothing_is_written(store, tmp_path):
    bad = tmp_path / "agenda.docx"
    bad.write_bytes((TEMPLATES_DIR / "agenda.docx").read_bytes()[:5000])  # truncated download
    config = _override(load_partnership("cambridge"), "agenda", bad)
    with pytest.raises(TemplateCheckError, match="not a zip archive"):
        draft_pack(store, config, "2025-26", "board-2026-02")
    _nothing_written(store)


def test_a_partnership_template_override_is_used(store, tmp_path):
    custom = tmp_path / "our_agenda.docx"
    shutil.copy(TEMPLATES_DIR / "agenda.docx", custom)
    document = Document(str(custom))
    document.add_paragraph("Refreshments from 9:45 in the Guildhall foyer.")
    document.save(str(custom))
    config = _override(load_partnership("cambridge"), "agenda", custom)
    result = draft_pack(store, config, "2025-26", "board-2026-02", ["agenda"])
    (agenda,) = Path(result.folder).glob("*.docx")
    assert "Refreshments from 9:45 in the Guildhall foyer." in [p.text for p in Document(str(agenda)).paragraphs]
    assert json.loads((Path(result.folder) / "manifest.json").read_text())["papers"][0]["template"] == custom.name


def test_a_paper_that_would_print_a_crime_id_or_coordinates_is_never_written(store):
    with session_scope(store) as session:
        session.execute(update(models.Finding).where(models.Finding.theme == "asb").values(
            public_text=f"Hotspot at 52.198765, 0.137654 (crime {CRIME_ID}), On or near Mill Road.",
            text=f"Hotspot at 52.198765, 0.137654 (crime {CRIME_ID}), On or near Mill Road."))
    with pytest.raises(PublicationError) as error:
        draft_pack(store, load_partnership("cambridge"), "2025-26", "board-2026-02")
    message = str(error.value)
    assert "03 Strategic Assessment 2025-26 (public).docx: a coordinate-like number '52.198765'" in message
    assert "a crime ID a3f100000000..." in message
    assert "a police.uk street location 'On or near Mill Road" in message
    _nothing_written(store)


def test_checksums_are_not_mistaken_for_crime_ids(drafted):
    text = "\n".join(c for t in tables(drafted.folder / EXPECTED_FILES[9]) for row in t for c in row)
    assert "1" * 64 in text  # the file checksum is printed, and the pack was written


def test_redrafting_part_of_a_pack_removes_papers_it_no_longer_holds(store):
    config = load_partnership("cambridge")
    draft_pack(store, config, "2025-26", "board-2026-02", ["agenda", "terms_of_reference"])
    result = draft_pack(store, config, "2025-26", "board-2026-02", ["agenda"])
    assert sorted(p.name for p in Path(result.folder).glob("*.docx")) == [
        "01 Agenda 10 February 2026 (public).docx"]
    assert len(list_papers(store, "cambridge", latest_only=False)) == 3


def test_the_plain_stage_drafts_through_the_render_memo(store, monkeypatch):
    """draft_pack drafts each paper as the flow's task does (tasks/papers/one_paper.py): drafting the
    same pack again renders nothing and writes the same bytes."""
    from tasks.papers import one_paper

    monkeypatch.setenv("CSP_SIDE_PROCESS", "0")
    config = load_partnership("cambridge")
    first = draft_pack(store, config, "2025-26", "board-2026-02")

    def no_render(*args, **kwargs):
        raise AssertionError("rendered again although the memo holds this paper")

    monkeypatch.setattr(one_paper, "render_job", no_render)
    again = draft_pack(store, config, "2025-26", "board-2026-02")
    assert again.files == first.files and len(first.files) >= 13


def test_without_an_assessment_the_pack_stops_with_what_to_run(sqlite_url, tmp_path, monkeypatch):
    from csp.store.db import MissingStageError
    from tests.papers_helpers import use_temporary_folders

    use_temporary_folders(monkeypatch, tmp_path)
    with pytest.raises(MissingStageError, match=r"csp assess --partnership cambridge --cycle 2025-26"):
        draft_pack(sqlite_url, load_partnership("cambridge"), "2025-26", "board-2026-02")
    _nothing_written(sqlite_url)
