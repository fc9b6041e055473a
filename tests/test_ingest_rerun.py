"""A re-run with nothing changed: every file recognised by the checksum of its bytes on disk in one
store query, nothing decompressed, parsed, placed or validated, and the same per-file reports."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from csp.config import load_partnership
from tasks.ingest import files, pipeline, shared
from tasks.ingest.pipeline import ingest_source
from tests.ingest_helpers import POLICE_DIR

TODAY = dt.date(2026, 1, 15)
CAMBRIDGE = load_partnership("cambridge")


def _folder(tmp_path, months=("2025-08", "2025-09", "2025-10")):
    folder = tmp_path / "police"
    folder.mkdir()
    for month in months:  # 2025-10 is after the 2025-26 period: read once, then skipped
        shutil.copy(POLICE_DIR / f"{month}-cambridgeshire-street.csv.gz", folder)
    (folder / "notes.txt").write_text("not a table")
    return folder


def _forbid_reading(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("an unchanged source was read")

    monkeypatch.setattr(pipeline, "discover", refuse)
    monkeypatch.setattr(files, "_gunzip", refuse)
    monkeypatch.setattr(shared, "parsed", refuse)
    monkeypatch.setattr(shared, "validated", refuse)


def test_an_unchanged_source_is_not_read_again_and_reports_the_same(db_url, csp_env, tmp_path, monkeypatch):
    folder = _folder(tmp_path)
    first = ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=folder, today=TODAY)
    assert [r.status for r in first] == ["skipped", "stored", "stored", "skipped"]
    with monkeypatch.context() as patch:  # the full path, as before, for the reference answer
        patch.setattr(pipeline, "_unchanged_source", lambda *args: None)
        full = ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=folder, today=TODAY)
    _forbid_reading(monkeypatch)
    quick = ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=folder, today=TODAY)
    assert quick == full
    assert [r.status for r in quick] == ["skipped", "unchanged", "unchanged", "skipped"]
    assert quick[3].label == "2025-10-cambridgeshire-street.csv.gz" and quick[3].rows_read > 0
    assert "outside the window" in quick[3].message


def test_a_changed_file_or_window_reads_the_source_again(db_url, csp_env, tmp_path, monkeypatch):
    folder = _folder(tmp_path, ("2025-09", "2025-10"))
    ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=folder, today=TODAY)
    calls = []
    real = shared.parsed
    monkeypatch.setattr(shared, "parsed", lambda *args: calls.append(args[1].label) or real(*args))
    shutil.copy(POLICE_DIR / "2025-08-cambridgeshire-street.csv.gz", folder)  # a new file
    reports = ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=folder, today=TODAY)
    assert [r.status for r in reports] == ["skipped", "stored", "unchanged", "skipped"]
    assert calls == ["2025-08-cambridgeshire-street.csv.gz"]  # the stored and the skipped file are not read
    calls.clear()
    # another cycle's window: the skip decision is not reused
    reports = ingest_source(db_url, CAMBRIDGE, "2026-27", "police_uk", path=folder, today=dt.date(2026, 11, 1))
    assert "2025-10-cambridgeshire-street.csv.gz" in calls
    assert reports[-1].status != "skipped" or "outside the window" in reports[-1].message


def test_limits_still_refuse_an_unchanged_source(db_url, csp_env, tmp_path, monkeypatch):
    folder = _folder(tmp_path, ("2025-09",))
    ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=folder, today=TODAY)
    monkeypatch.setenv("CSP_MAX_FILE_MB", "1")
    with pytest.raises(Exception, match="CSP_MAX_FILE_MB"):
        ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=folder, today=TODAY)


def test_file_stamps_name_what_discover_reads(tmp_path):
    folder = _folder(tmp_path)
    (folder / ".hidden.csv").write_text("a\n1\n")
    found, skipped = files.discover(folder, wanted="street")
    stamps, stamp_skipped = files.stamp_files(folder)
    assert [(s.label, s.name, s.raw_sha256) for s in stamps] == [(f.label, f.name, f.raw_sha256) for f in found]
    assert stamp_skipped == skipped
    shutil.make_archive(str(tmp_path / "archive"), "zip", folder)
    assert files.stamp_files(tmp_path / "archive.zip") is None  # archives are read in full


def test_an_unchanged_rerun_in_a_new_process_does_not_import_great_expectations(sqlite_url, csp_env, tmp_path):
    import json
    import os
    import subprocess
    import sys

    from csp.settings import PROJECT_ROOT

    folder = _folder(tmp_path, ("2025-09", "2025-10"))
    ingest_source(sqlite_url, CAMBRIDGE, "2025-26", "police_uk", path=folder, today=TODAY)
    script = (
        "import datetime as dt, json, sys\n"
        "from pathlib import Path\n"
        "from csp.config import load_partnership\n"
        "from tasks.ingest.pipeline import ingest_source\n"
        f"reports = ingest_source({sqlite_url!r}, load_partnership('cambridge'), '2025-26', 'police_uk',"
        f" path=Path({str(folder)!r}), today=dt.date(2026, 1, 15))\n"
        "print(json.dumps({'statuses': [r.status for r in reports],"
        " 'gx': 'great_expectations' in sys.modules}))\n")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    out = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, capture_output=True,
                         text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result == {"statuses": ["skipped", "unchanged", "skipped"], "gx": False}
