"""Bulk rows go into the store the same way on both engines: COPY on PostgreSQL, one prepared INSERT
run for every row on SQLite (values converted by the columns' types), SQLAlchemy's INSERT otherwise."""

from __future__ import annotations

import datetime as dt

import psycopg
from sqlalchemy import select

from csp.config import load_partnership
from csp.store import db, models
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
    prepared = []
    real_prepared = db._prepared_insert
    monkeypatch.setattr(db, "_prepared_insert", lambda *a: prepared.append(a) or real_prepared(*a))
    file_id = _file(db_url)
    rows = _crime_rows(file_id)
    with session_scope(db_url) as session:
        insert_rows(session, models.CrimeRecord.__table__, rows)
    assert len(prepared) == (0 if db_url.startswith("postgresql") else 1)
    stored = _stored(db_url, file_id)
    expected = [(r["row_number"], r["month"], r["crime_id"], r["location"], r["longitude"], r["latitude"],
                 r["lsoa_code"], r["outcome"], r["msoa_code"]) for r in rows]
    assert stored == expected
    assert len(copies) == (1 if db_url.startswith("postgresql") else 0)


def test_a_left_out_column_gets_its_python_default_and_ragged_rows_go_in_by_insert(db_url, csp_env, monkeypatch):
    """A column the rows leave out gets the default an INSERT would give it (COPY alone would store
    NULL); rows naming different columns are inserted the ordinary way, each with its defaults."""
    copies = []
    real = psycopg.Cursor.copy
    monkeypatch.setattr(psycopg.Cursor, "copy", lambda self, *a, **k: copies.append(a) or real(self, *a, **k))
    file_id = _file(db_url)
    partner = {"input_file_id": file_id, "partnership_id": "cambridge", "source_kind": "fire",
               "row_number": 2, "month": dt.date(2025, 4, 1), "category": "Deliberate fires",
               "subcategory": None, "area_code": "E01017959", "area_name": "x", "count": 3}
    with session_scope(db_url) as session:
        insert_rows(session, models.PartnerRecord.__table__, [partner])  # period_months left to its default
    assert len(copies) == (1 if db_url.startswith("postgresql") else 0)
    with session_scope(db_url) as session:
        assert session.scalars(select(models.PartnerRecord.period_months)).all() == [1]
    copies.clear()
    with session_scope(db_url) as session:  # SQLAlchemy's ORM insert takes ragged rows; so must this
        insert_rows(session, models.PartnerRecord.__table__,
                    [{**partner, "row_number": 3}, {**partner, "row_number": 4, "period_months": 3}])
    assert len(copies) == (2 if db_url.startswith("postgresql") else 0)  # one batch per set of columns
    with session_scope(db_url) as session:
        assert sorted(session.scalars(select(models.PartnerRecord.period_months)).all()) == [1, 1, 3]


def test_metrics_by_copy_keep_json_and_python_defaults(db_url, csp_env, monkeypatch):
    """An assessment's metrics (a JSON list of files; created_at left to its Python default) read
    back the same from either engine, the default filled as an INSERT fills it."""
    copies = []
    real = psycopg.Cursor.copy
    monkeypatch.setattr(psycopg.Cursor, "copy", lambda self, *a, **k: copies.append(a) or real(self, *a, **k))
    from csp.store.db import ensure_cycle

    with session_scope(db_url) as session:
        cycle_id = ensure_cycle(session, load_partnership("cambridge"), "2025-26").id
    rows = [{"partnership_id": "cambridge", "cycle_id": cycle_id, "metric": "count", "source_kind": "police_uk",
             "category": c, "area_type": "partnership", "area_code": None, "area_name": None, "period": "current",
             "value": v, "label": None, "suppressed": s, "input_file_ids": ids, "run_id": "r1"}
            for c, v, s, ids in [("Burglary", 12.0, False, [1, 2]), ("Drugs", None, True, []),
                                 ("Shoplifting", 0.1 + 0.2, None, [3])]]
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with session_scope(db_url) as session:
        insert_rows(session, models.Metric.__table__, rows)
    m = models.Metric
    with session_scope(db_url) as session:
        stored = session.execute(select(m.category, m.value, m.suppressed, m.input_file_ids, m.created_at)
                                 .order_by(m.category)).all()
    assert [tuple(r[:4]) for r in stored] == [("Burglary", 12.0, False, [1, 2]), ("Drugs", None, True, []),
                                              ("Shoplifting", 0.1 + 0.2, None, [3])]
    assert all(before <= r.created_at <= dt.datetime.now(dt.UTC).replace(tzinfo=None) for r in stored)
    assert len(copies) == (1 if db_url.startswith("postgresql") else 0)
