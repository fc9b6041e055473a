"""Police.uk ingestion on the bundled data: provenance, idempotency, supersession, archives."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
import zipfile

import pytest
from sqlalchemy import select

from csp.config import load_partnership
from csp.store import models
from csp.store.db import session_scope
from tasks.ingest.pipeline import ingest_source
from tests.ingest_helpers import POLICE_DIR, cambridge_rows, count, real_month, write_csv

TODAY = dt.date(2026, 11, 23)
CAMBRIDGE = load_partnership("cambridge")


def _three_months(tmp_path):
    folder = tmp_path / "police"
    folder.mkdir()
    for month in ("2025-07", "2025-08", "2025-09"):
        shutil.copy(POLICE_DIR / f"{month}-cambridgeshire-street.csv.gz", folder)
    return folder


def test_folder_of_months_is_filtered_to_the_partnership_and_accounted_for(db_url, tmp_path):
    reports = ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=_three_months(tmp_path),
                            today=TODAY)
    assert [r.status for r in reports] == ["stored"] * 3
    for report, month in zip(reports, ("2025-07", "2025-08", "2025-09"), strict=True):
        frame = real_month(month)
        in_cambridge = frame["LSOA name"].str.match(r"^Cambridge \d{3}[A-Z]$").sum()
        assert report.rows_read == len(frame)
        assert report.rows_unlocated == (frame["LSOA name"] == "").sum()
        assert report.rows_accepted + report.rows_quarantined == in_cambridge
        assert report.rows_read == (report.rows_accepted + report.rows_quarantined
                                    + report.rows_outside_area + report.rows_unlocated)
        assert report.months == [month]
    stored = count(db_url, models.CrimeRecord)
    assert stored == sum(r.rows_accepted for r in reports)
    with session_scope(db_url) as session:
        names = set(session.scalars(select(models.CrimeRecord.lsoa_name)).all())
        assert all(name.startswith("Cambridge ") for name in names)
        files = session.scalars(select(models.InputFile)).all()
        assert {f.sha256 for f in files} == {
            __import__("hashlib").sha256(p.read_bytes()).hexdigest()
            for p in sorted((tmp_path / "police").iterdir())}


def test_same_files_twice_change_nothing(db_url, tmp_path):
    folder = _three_months(tmp_path)
    ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=folder, today=TODAY)
    before = count(db_url, models.CrimeRecord), count(db_url, models.InputFile)
    again = ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=folder, today=TODAY)
    assert [r.status for r in again] == ["unchanged"] * 3
    assert (count(db_url, models.CrimeRecord), count(db_url, models.InputFile)) == before


def test_a_corrected_month_supersedes_the_earlier_file_and_both_are_kept(db_url, tmp_path):
    first = write_csv(tmp_path / "2025-09-first.csv", cambridge_rows(40))
    ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=first, today=TODAY)
    second = write_csv(tmp_path / "2025-09-second.csv", cambridge_rows(55))
    [report] = ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=second, today=TODAY)
    assert report.superseded == ["2025-09-first.csv"]
    with session_scope(db_url) as session:
        files = {f.file_name: f for f in session.scalars(select(models.InputFile)).all()}
        assert files["2025-09-first.csv"].status == "superseded"
        assert files["2025-09-first.csv"].superseded_by_id == files["2025-09-second.csv"].id
        assert files["2025-09-second.csv"].status == "current"
        current = session.scalars(select(models.CrimeRecord).join(models.InputFile).where(
            models.InputFile.status == "current")).all()
        assert len(current) == report.rows_accepted


def test_police_uk_zip_archive_with_month_folders(db_url, tmp_path):
    archive = tmp_path / "police-download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for month in ("2025-08", "2025-09"):
            data = gzip.decompress((POLICE_DIR / f"{month}-cambridgeshire-street.csv.gz").read_bytes())
            zf.writestr(f"{month}/{month}-cambridgeshire-street.csv", data)
            zf.writestr(f"{month}/{month}-cambridgeshire-outcomes.csv", "Crime ID,Month\n")
    reports = ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=archive, today=TODAY)
    stored = [r for r in reports if r.status == "stored"]
    skipped = [r for r in reports if r.status == "skipped"]
    assert [r.months for r in stored] == [["2025-08"], ["2025-09"]]
    assert len(skipped) == 2 and all("outcomes" in r.label for r in skipped)


def test_zip_with_path_traversal_is_refused_and_nothing_is_stored(db_url, tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("2025-09/2025-09-cambridgeshire-street.csv", "x")
        zf.writestr("../../x-street.csv", "Crime ID\n1\n")
    from tasks.ingest.errors import IngestError

    with pytest.raises(IngestError, match=r"evil\.zip.*refused.*\.\./\.\./x-street\.csv"):
        ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=archive, today=TODAY)
    assert count(db_url, models.InputFile) == 0
    assert not (tmp_path.parent / "x-street.csv").exists()


def test_missing_crime_ids_are_stored_as_null_not_nan(db_url, tmp_path):
    frame = real_month("2025-09")
    frame = frame[frame["LSOA name"].str.startswith("Cambridge ")].head(200)
    assert (frame["Crime ID"] == "").sum() > 10  # anti-social behaviour rows have no Crime ID
    ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=write_csv(tmp_path / "m.csv", frame),
                  today=TODAY)
    with session_scope(db_url) as session:
        ids = session.scalars(select(models.CrimeRecord.crime_id)).all()
        assert "NaN" not in ids and "nan" not in ids
        assert sum(i is None for i in ids) == (frame["Crime ID"] == "").sum()
