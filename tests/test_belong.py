"""Files that do not belong, and row rules over every row of a file (also rows outside the area)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select

from csp.config import load_partnership
from csp.store import models
from csp.store.db import session_scope
from tasks.ingest.pipeline import ingest_source
from tests.ingest_helpers import cambridge_rows, real_month, write_csv

CAMBRIDGE = load_partnership("cambridge")
TODAY = dt.date(2026, 11, 23)
NAME = "2025-09-cambridgeshire-street.csv"


def _crimes(url: str) -> int:
    with session_scope(url) as session:
        return session.scalar(select(func.count()).select_from(models.CrimeRecord))


def test_rows_outside_the_area_are_checked_and_counted_apart(db_url, tmp_path):
    inside = cambridge_rows(5)
    outside = real_month()
    outside = outside[outside["LSOA name"].str.startswith("Fenland")].head(4).copy()
    outside.iloc[0, outside.columns.get_loc("Month")] = "2031-01"  # future
    outside.iloc[1, outside.columns.get_loc("LSOA code")] = "FENLAND"  # bad shape
    outside.iloc[2, outside.columns.get_loc("Longitude")] = "4.100000"  # North Sea
    outside.iloc[3, outside.columns.get_loc("Month")] = "Sept"  # unparseable
    frame = pd.concat([inside, outside], ignore_index=True)
    [report] = ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=write_csv(tmp_path / "mixed.csv", frame),
                             today=TODAY)
    assert (report.status, report.rows_accepted, report.rows_outside_area) == ("stored", 5, 4)
    assert report.message == ("rows outside the area (not stored) that break row rules - unparseable month: 1; "
                              "future month: 1; bad LSOA code: 1; coordinates outside England and Wales: 1")


def test_a_much_smaller_replacement_needs_force(db_url, tmp_path):
    (tmp_path / "a").mkdir()
    [first] = ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk",
                            path=write_csv(tmp_path / "a" / NAME, cambridge_rows(20)), today=TODAY)
    assert first.status == "stored" and _crimes(db_url) == 20
    (tmp_path / "b").mkdir()
    smaller = write_csv(tmp_path / "b" / NAME, cambridge_rows(9))
    [refused] = ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=smaller, today=TODAY)
    assert refused.status == "failed" and "has 9 rows where" in refused.message and "--force" in refused.message
    assert _crimes(db_url) == 20
    [forced] = ingest_source(db_url, CAMBRIDGE, "2025-26", "police_uk", path=smaller, today=TODAY, force=True)
    assert forced.status == "stored" and forced.superseded == [NAME]
    with session_scope(db_url) as session:
        current = session.scalars(select(models.InputFile.rows_read).where(models.InputFile.status == "current"))
        assert list(current) == [9]


def test_answers_about_a_shared_file_are_worked_out_once_and_per_question():
    """What a force's file is asked by every partnership (another force's rows, the row rules) is
    computed once per file frame; a different force, day or frame is asked afresh."""
    import pytest

    from csp import frame_memo
    from tasks.ingest import belong
    from tasks.ingest.errors import IngestError

    frame = pd.DataFrame({"row_number": [2, 3, 4], "month": ["2025-04", "2025-04", "2031-01"],
                          "reported_by": ["Cambridgeshire Constabulary"] * 3,
                          "falls_within": ["Cambridgeshire Constabulary"] * 3,
                          "lsoa_code": ["E01017960", "bad", None], "longitude": [0.12, 10.0, None],
                          "latitude": [52.2, 52.2, None]})
    asked = []
    real = belong._row_rule_masks
    belong._row_rule_masks = lambda *a: asked.append(1) or real(*a)
    try:
        first = belong.row_rule_masks("police_uk", frame, dt.date(2026, 1, 15))
        again = belong.row_rule_masks("police_uk", frame, dt.date(2026, 1, 15))
        belong.row_rule_masks("police_uk", frame.copy(), dt.date(2026, 1, 15))
        later = belong.row_rule_masks("police_uk", frame, dt.date(2032, 1, 15))
    finally:
        belong._row_rule_masks = real
    assert again is first and len(asked) == 3
    assert first["future month"].tolist() == [False, False, True] and not later["future month"].any()
    assert first["bad LSOA code"].tolist() == [False, True, False]

    cambridge, newport = load_partnership("cambridge"), load_partnership("newport")
    belong.check_force("police_uk", frame, cambridge, "2025-04.csv")  # its own force: accepted
    with pytest.raises(IngestError, match="not Gwent Police"):
        belong.check_force("police_uk", frame, newport, "2025-04.csv")  # the same frame, another force
    frame_memo.clear()


def test_a_files_answers_go_when_the_shared_cache_lets_the_file_go(monkeypatch):
    """The answers hold their frame: they are dropped with it, so they never keep a month the
    bounded read cache has given up in memory."""
    from collections import OrderedDict

    from csp import frame_memo
    from tasks.ingest import shared

    old, new = pd.DataFrame({"row_number": range(5)}), pd.DataFrame({"row_number": range(5)})
    for frame in (old, new):
        frame_memo.per_frame("rows", frame, lambda f=frame: len(f))
    cache = OrderedDict([(("police_uk", "a"), (old, [])), (("police_uk", "b"), (new, []))])
    monkeypatch.setenv("CSP_READ_CACHE_ROWS", "6")
    shared._trim(cache)
    assert list(cache) == [("police_uk", "b")]
    kept = [answer[0] for answer in frame_memo._ANSWERS.values()]
    assert not any(f is old for f in kept) and any(f is new for f in kept)
    frame_memo.clear()


def test_a_worker_moving_to_another_force_forgets_the_last_forces_files():
    """A Dask worker keeps to one force at a time: starting another force's partnership drops the
    files (and what was worked out from them) that only the last force's partnerships used."""
    from csp import frame_memo
    from tasks.ingest import shared

    shared.clear()
    frame = pd.DataFrame({"row_number": range(5)})
    frame_memo.per_frame("rows", frame, lambda: len(frame))
    try:
        assert shared.moving_to("data/raw/police/gwent") is False  # the first force: nothing to drop
        shared._PARSED[("police_uk", "a")] = (frame, [])
        assert shared.moving_to("data/raw/police/gwent") is False  # the same force: kept
        assert ("police_uk", "a") in shared._PARSED
        assert shared.moving_to("data/raw/police/cambridgeshire") is True
        assert not shared._PARSED
        assert not any(answer[0] is frame for answer in frame_memo._ANSWERS.values())
    finally:
        shared.clear()
