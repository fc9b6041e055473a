"""SIGKILL in the middle of a stage's write, then a re-run: the store holds exactly one clean run's
rows, and the killed run is shown as interrupted, not running or completed.

The kill is injected at a named point (csp/faults.py) in a child process, so it lands at the same
place every time: after the rows are written, before the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select

from csp.config import load_partnership
from csp.settings import PROJECT_ROOT
from csp.store import models
from csp.store.db import session_scope, shown_status, table_digests
from tasks.assess.run import assess_partnership
from tasks.ingest.pipeline import ingest_source
from tests.assess_helpers import CYCLE, build_store
from tests.ingest_helpers import cambridge_rows, write_csv

TODAY = dt.date(2026, 11, 23)
DATA_TABLES = ("input_file", "crime_record", "quarantined_row", "validation_result", "metric", "finding", "chart")


@pytest.fixture
def clean_url(tmp_path: Path) -> str:
    """A second store (SQLite) for the clean run the recovered one is compared with."""
    from csp.store.db import migrate

    url = f"sqlite:///{tmp_path / 'clean' / 'csp.db'}"
    migrate(url)
    return url


def _killed(code: str, crash_at: str, tmp_path: Path) -> None:
    """Run ``code`` in a child Python that SIGKILLs itself at ``crash_at``; assert it died so."""
    env = {**os.environ, "CSP_CRASH_AT": crash_at, "CSP_OUTPUT_DIR": str(tmp_path / "output"),
           "CSP_VAR_DIR": str(tmp_path / "var")}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]


def _data(url: str) -> dict[str, str]:
    digests = table_digests(url)
    return {name: digests[name] for name in DATA_TABLES}


def _crimes(url: str) -> list[tuple]:
    with session_scope(url) as session:
        return sorted(session.execute(select(
            models.CrimeRecord.row_number, models.CrimeRecord.month, models.CrimeRecord.category,
            models.CrimeRecord.crime_id, models.CrimeRecord.lsoa_code)).all())


def _metrics(url: str) -> list[tuple]:
    with session_scope(url) as session:
        return sorted(session.execute(select(
            models.Metric.metric, models.Metric.source_kind, models.Metric.category, models.Metric.area_type,
            models.Metric.area_code, models.Metric.period, models.Metric.value)).all(), key=repr)


def test_sigkill_during_ingest_then_rerun(db_url, tmp_path, clean_url):
    path = write_csv(tmp_path / "2025-09-cambridgeshire-street.csv", cambridge_rows(30))
    before = _data(db_url)
    _killed(f"""
        import datetime as dt
        from pathlib import Path
        from csp.config import load_partnership
        from tasks.ingest.pipeline import ingest_source
        ingest_source({db_url!r}, load_partnership("cambridge"), "2025-26", "police_uk",
                      path=Path({str(path)!r}), today=dt.date(2026, 11, 23))
    """, "ingest.store", tmp_path)
    assert _data(db_url) == before  # the killed transaction left nothing behind
    [again] = ingest_source(db_url, load_partnership("cambridge"), "2025-26", "police_uk", path=path, today=TODAY)
    [clean] = ingest_source(clean_url, load_partnership("cambridge"), "2025-26", "police_uk", path=path,
                            today=TODAY)
    assert again.status == clean.status == "stored"
    assert _crimes(db_url) == _crimes(clean_url) and len(_crimes(db_url)) == 30


def test_sigkill_during_assessment_then_rerun(db_url, tmp_path, clean_url):
    build_store(db_url)
    build_store(clean_url)
    _killed(f"""
        from csp.config import load_partnership
        from tasks.assess.run import assess_partnership
        assess_partnership({db_url!r}, load_partnership("cambridge"), {CYCLE!r}, charts=False)
    """, "assess.store", tmp_path)
    with session_scope(db_url) as session:
        [run] = session.scalars(select(models.StageRun)).all()
        assert run.status == "running" and shown_status(run) == "interrupted"
        assert session.scalars(select(models.Metric)).first() is None
    assess_partnership(db_url, load_partnership("cambridge"), CYCLE, charts=False)
    assess_partnership(clean_url, load_partnership("cambridge"), CYCLE, charts=False)
    assert _metrics(db_url) == _metrics(clean_url) and len(_metrics(db_url)) > 100
    with session_scope(db_url) as session:
        statuses = sorted(shown_status(r) for r in session.scalars(select(models.StageRun)))
    assert statuses == ["completed", "interrupted"]


def _pack_texts(folder: Path) -> dict[str, str]:
    """Every paper's text (paragraphs and table cells) by file name: what a reader would see."""
    from docx import Document

    texts = {}
    for path in sorted(folder.glob("*.docx")):
        document = Document(str(path))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        texts[path.name] = "\n".join([p.text for p in document.paragraphs] + cells)
    return texts


def test_sigkill_during_papers_then_rerun(db_url, tmp_path, monkeypatch):
    from tasks.papers.draft import draft_pack
    from tests.papers_fixtures import populate
    from tests.papers_helpers import use_temporary_folders

    use_temporary_folders(monkeypatch, tmp_path)
    populate(db_url, tmp_path / "charts")
    _killed(f"""
        from csp.config import load_partnership
        from tasks.papers.draft import draft_pack
        draft_pack({db_url!r}, load_partnership("cambridge"), "2025-26", "board-2026-02", run_id="run-42")
    """, "papers.write", tmp_path)
    folder = tmp_path / "output" / "cambridge" / "2025-26" / "board-2026-02"
    written = sorted(folder.iterdir())
    # killed after the first paper: one whole paper, no half-written file, no manifest or archive yet
    assert [p.suffix for p in written] == [".docx"], written
    with session_scope(db_url) as session:
        assert session.scalars(select(models.Paper)).first() is None  # the papers' records never committed
    result = draft_pack(db_url, load_partnership("cambridge"), "2025-26", "board-2026-02", run_id="run-42")
    assert Path(result.folder) == folder
    monkeypatch.setenv("CSP_OUTPUT_DIR", str(tmp_path / "clean"))
    clean = draft_pack(db_url, load_partnership("cambridge"), "2025-26", "board-2026-02", run_id="run-42")
    assert _pack_texts(folder) == _pack_texts(Path(clean.folder)) and len(_pack_texts(folder)) > 8
    assert (folder / "manifest.json").exists() and len(list(folder.glob("*.zip"))) == 2
