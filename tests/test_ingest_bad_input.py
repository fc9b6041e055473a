"""Every bad input the issue lists: a clear message naming file, row/line, column and rule, and a
store left exactly as it was (file-level problems) or the row quarantined with its reason (row-level)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from csp.config import load_partnership
from csp.store import models
from csp.store.db import session_scope
from tasks.ingest.errors import IngestError
from tasks.ingest.pipeline import ingest_source
from tests.ingest_helpers import HEADER, cambridge_rows, store_counts, write_csv

TODAY = dt.date(2026, 11, 23)
CAMBRIDGE = load_partnership("cambridge")


def _refused(url: str, path, kind: str = "police_uk") -> str:
    """Ingest a file that must be refused; return the message after checking the store is unchanged."""
    before = store_counts(url)
    [report] = ingest_source(url, CAMBRIDGE, "2025-26", kind, path=path, today=TODAY)
    assert report.status == "failed"
    assert store_counts(url) == before
    assert path.name in report.message
    return report.message


def _quarantined(url: str) -> list[models.QuarantinedRow]:
    with session_scope(url) as session:
        return list(session.scalars(select(models.QuarantinedRow)).all())


def test_missing_and_renamed_columns(db_url, tmp_path):
    frame = cambridge_rows(5).rename(columns={"Crime type": "Crime Type"}).drop(columns=["Month"])
    message = _refused(db_url, write_csv(tmp_path / "renamed.csv", frame))
    assert "missing required column(s) 'Month', 'Crime type' (found 'Crime Type': renamed?)" in message
    assert "row_number" not in message


def test_empty_file(db_url, tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    assert "empty" in _refused(db_url, tmp_path / "empty.csv")


def test_header_only(db_url, tmp_path):
    (tmp_path / "header.csv").write_text(HEADER + "\n", encoding="utf-8")
    assert "header only" in _refused(db_url, tmp_path / "header.csv")


def test_file_that_is_not_csv(db_url, tmp_path):
    (tmp_path / "picture.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    assert "not a CSV" in _refused(db_url, tmp_path / "picture.csv")


def test_non_utf8_text_names_the_line(db_url, tmp_path):
    frame = cambridge_rows(3)
    frame.loc[1, "Location"] = "On or near £ Street"
    message = _refused(db_url, write_csv(tmp_path / "windows.csv", frame, encoding="cp1252"))
    assert "not UTF-8" in message and "line 3" in message and "0xa3" in message


def test_byte_order_mark_is_accepted(db_url, tmp_path):
    path = write_csv(tmp_path / "bom.csv", cambridge_rows(6), encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    [report] = ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=path, today=TODAY)
    assert report.status == "stored" and report.rows_accepted == 6


def test_truncated_last_line(db_url, tmp_path):
    path = write_csv(tmp_path / "cut.csv", cambridge_rows(4))
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text[: text.rfind(",", 0, len(text) - 40)], encoding="utf-8")
    message = _refused(db_url, path)
    assert "line 5" in message and "truncated" in message


def test_duplicate_rows_are_quarantined_not_dropped(db_url, tmp_path):
    frame = cambridge_rows(5)
    frame = pd.concat([frame, frame.iloc[[2]]], ignore_index=True)
    [report] = ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk",
                             path=write_csv(tmp_path / "dups.csv", frame), today=TODAY)
    assert report.status == "stored"
    assert report.rows_read == 6 and report.rows_accepted == 5 and report.rows_quarantined == 1
    [row] = _quarantined(db_url)
    assert row.row_number == 7  # header is line 1, the copy is the sixth data row
    assert "repeats" in row.reason and "row 4" in row.reason  # names the first copy, which is kept


def test_month_outside_the_assessment_period_is_quarantined(db_url, tmp_path):
    frame = cambridge_rows(4)
    frame.loc[0, "Month"] = "2021-01"
    [report] = ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk",
                             path=write_csv(tmp_path / "old.csv", frame), today=TODAY)
    assert report.rows_accepted == 3 and report.rows_quarantined == 1
    [row] = _quarantined(db_url)
    assert (row.row_number, row.column) == (2, "month")
    assert "2021-01" in row.reason


def test_a_file_entirely_outside_the_period_is_refused(db_url, tmp_path):
    frame = cambridge_rows(4)
    frame["Month"] = "2021-01"
    message = _refused(db_url, write_csv(tmp_path / "all-old.csv", frame))
    assert "all-old.csv: column 'month': every row is outside the assessment window 2023-10..2025-09" in message
    assert "is this the right file for cycle 2025-26?" in message


def test_month_in_the_future(db_url, tmp_path):
    frame = cambridge_rows(4)
    frame["Month"] = "2027-03"
    message = _refused(db_url, write_csv(tmp_path / "future.csv", frame))
    assert "future.csv: column 'month': every row is outside the assessment window" in message
    assert "or in the future" in message


def test_lsoa_code_that_is_not_a_code(db_url, tmp_path):
    frame = cambridge_rows(4)
    frame.loc[2, "LSOA code"] = "CAMBRIDGE"
    [report] = ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk",
                             path=write_csv(tmp_path / "lsoa.csv", frame), today=TODAY)
    assert report.rows_quarantined == 1
    [row] = _quarantined(db_url)
    assert (row.row_number, row.column) == (4, "lsoa_code") and "CAMBRIDGE" in row.reason


def test_coordinates_in_the_sea(db_url, tmp_path):
    frame = cambridge_rows(4)
    frame.loc[1, ["Longitude", "Latitude"]] = ["1.500000", "55.000000"]  # North Sea
    [report] = ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk",
                             path=write_csv(tmp_path / "sea.csv", frame), today=TODAY)
    assert report.rows_accepted == 3 and report.rows_quarantined == 1
    rows = _quarantined(db_url)
    assert {r.row_number for r in rows} == {3}
    assert all("longitude" in r.column and "latitude" in r.column for r in rows)


def test_text_in_a_coordinate_is_a_row_problem(db_url, tmp_path):
    frame = cambridge_rows(3)
    frame.loc[0, "Longitude"] = "east-ish"
    [report] = ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk",
                             path=write_csv(tmp_path / "text.csv", frame), today=TODAY)
    assert report.rows_accepted == 2
    [row] = _quarantined(db_url)
    assert (row.row_number, row.column, row.rule) == (2, "longitude", "type")


def _partner_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "month": ["2025-07", "2025-08", "2025-09"], "district": ["Cambridge"] * 3,
        "category": ["Deliberate primary", "Accidental primary", "Cause not known"],
        "count": [3, 11, 2],
    })


def test_xlsx_with_a_title_row_above_the_header(db_url, tmp_path):
    path = tmp_path / "fire.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame([["Cambridgeshire Fire and Rescue: incidents by cause"], [""]]).to_excel(
            writer, index=False, header=False)
        _partner_frame().to_excel(writer, index=False, startrow=2)
    [report] = ingest_source(db_url, CAMBRIDGE, "2025-26", "fire", path=path, today=TODAY)
    assert report.status == "stored" and report.rows_accepted == 3
    with session_scope(db_url) as session:
        records = session.scalars(select(models.PartnerRecord).order_by(models.PartnerRecord.month)).all()
        assert [(r.row_number, r.category, r.count) for r in records] == [
            (4, "Deliberate primary", 3), (5, "Accidental primary", 11), (6, "Cause not known", 2)]


def test_negative_count_in_a_partner_table_is_quarantined(db_url, tmp_path):
    frame = _partner_frame()
    frame.loc[1, "count"] = -4
    [report] = ingest_source(db_url, CAMBRIDGE, "2025-26", "fire",
                             path=write_csv(tmp_path / "fire.csv", frame), today=TODAY)
    assert report.rows_accepted == 2 and report.rows_quarantined == 1
    [row] = _quarantined(db_url)
    assert (row.row_number, row.column) == (3, "count") and "-4" in row.reason


def test_partner_rows_for_other_districts_are_counted_not_stored(db_url, tmp_path):
    frame = _partner_frame()
    frame.loc[0, "district"] = "Fenland"
    [report] = ingest_source(db_url, CAMBRIDGE, "2025-26", "fire",
                             path=write_csv(tmp_path / "fire.csv", frame), today=TODAY)
    assert (report.rows_read, report.rows_accepted, report.rows_outside_area) == (3, 2, 1)


def test_unknown_source_folder_is_a_clear_error(db_url, tmp_path):
    with pytest.raises(IngestError, match="no such file or folder"):
        ingest_source(db_url, CAMBRIDGE, "2025-26", "fire", path=tmp_path / "missing", today=TODAY)


def test_status_reports_the_refused_file(db_url, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from cli.app import app

    (tmp_path / "header.csv").write_text(HEADER + "\n", encoding="utf-8")
    monkeypatch.setenv("CSP_DATABASE_URL", db_url)
    runner = CliRunner()
    ingest = runner.invoke(app, ["ingest", "-p", "cambridge", "-s", "police_uk", "--path",
                                 str(tmp_path / "header.csv"), "--today", "2026-11-23"])
    assert ingest.exit_code == 1 and "header only" in ingest.output
    status = runner.invoke(app, ["status", "-p", "cambridge"])
    assert status.exit_code == 0
    assert "ingest" in status.output and "failed" in status.output and "header.csv" in status.output
