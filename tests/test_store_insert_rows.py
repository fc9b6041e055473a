"""Bulk rows go into the store the same way on both engines: COPY on PostgreSQL, INSERT elsewhere."""

from __future__ import annotations

import datetime as dt

import psycopg
from sqlalchemy import select

from csp.config import load_partnership
from csp.store import models
from csp.store.db import ensure_partnership, insert_rows, session_scope


def _crime_rows(file_id: int) -> list[dict]:
    base = {"input_file_id": file_id, "partnership_id": "cambridge", "category": "Burglary",
            "lsoa_code": "E01017959", "lsoa_name": "Cambridge 001A", "msoa_name": "Cambridge 001",
            "msoa_code": None, "lsoa_code_published": None, "lsoa_mapping": None, "outcome": None}
    odd = ["O'Brien Road, \"the\" corner", "tab\there", "back\\slash", "new\nline", "", None, "Ünïcode ✓"]
    return [{**base, "row_number": i + 2, "month": dt.date(2025, 4 + i % 9, 1), "crime_id": f"id{i}" if i % 3 else None,
             "location": odd[i % len(odd)], "longitude": None if i % 5 == 0 else 0.1 + i / 1000,
             "latitude": 52.2 + i / 1000} for i in range(2500)]


def _stored(url: str, file_id: int) -> list[tuple]:
    c = models.CrimeRecord
    with session_scope(url) as session:
        return [tuple(r) for r in session.execute(
            select(c.row_number, c.month, c.crime_id, c.location, c.longitude, c.latitude, c.lsoa_code,
                   c.outcome, c.msoa_code).where(c.input_file_id == file_id).order_by(c.row_number)).all()]


def _file(url: str) -> int:
    with session_scope(url) as session:
        ensure_partnership(session, load_partnership("cambridge"))
        record = models.InputFile(partnership_id="cambridge", source_kind="police_uk", file_name="x.csv",
                                  path="x.csv", sha256="0" * 64, size_bytes=1, rows_read=1, rows_accepted=1,
                                  rows_quarantined=0, months=[], status="current")
        session.add(record)
        session.flush()
        return record.id


def test_rows_stored_by_copy_read_back_as_inserted(db_url, csp_env, monkeypatch):
    copies = []
    real = psycopg.Cursor.copy
    monkeypatch.setattr(psycopg.Cursor, "copy", lambda self, *a, **k: copies.append(a) or real(self, *a, **k))
    file_id = _file(db_url)
    rows = _crime_rows(file_id)
    with session_scope(db_url) as session:
        insert_rows(session, models.CrimeRecord.__table__, rows)
    stored = _stored(db_url, file_id)
    expected = [(r["row_number"], r["month"], r["crime_id"], r["location"], r["longitude"], r["latitude"],
                 r["lsoa_code"], r["outcome"], r["msoa_code"]) for r in rows]
    assert stored == expected
    assert len(copies) == (1 if db_url.startswith("postgresql") else 0)


def test_rows_that_copy_would_change_go_in_by_insert(db_url, csp_env, monkeypatch):
    """Rows that leave out a column whose default Python computes are inserted the ordinary way
    (COPY would store NULL where the INSERT applies the default)."""
    copies = []
    real = psycopg.Cursor.copy
    monkeypatch.setattr(psycopg.Cursor, "copy", lambda self, *a, **k: copies.append(a) or real(self, *a, **k))
    file_id = _file(db_url)
    with session_scope(db_url) as session:
        partner = {"input_file_id": file_id, "partnership_id": "cambridge", "source_kind": "fire",
                   "row_number": 2, "month": dt.date(2025, 4, 1), "category": "Deliberate fires",
                   "subcategory": None, "area_code": "E01017959", "area_name": "x", "count": 3}
        insert_rows(session, models.PartnerRecord.__table__, [partner])  # period_months left to its default
    assert copies == []
    with session_scope(db_url) as session:
        assert session.scalar(select(models.PartnerRecord.period_months)) == 1
