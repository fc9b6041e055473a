"""Builders for the validation tests: small frames in the readers' shape, and a small filled store."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pandas as pd

from csp.config import load_partnership
from csp.cycle import parse_cycle
from csp.store import models
from csp.store.db import ensure_cycle, session_scope

PERIOD = parse_cycle("2025-26")  # October 2024 to September 2025; window from October 2023
TODAY = dt.date(2025, 11, 20)
LABEL = "test-file.csv"

POLICE_DEFAULTS: dict[str, Any] = {
    "month": "2025-01", "reported_by": "Cambridgeshire Constabulary",
    "falls_within": "Cambridgeshire Constabulary", "longitude": 0.12, "latitude": 52.2,
    "location": "On or near Mill Road", "lsoa_code": "E01017943", "lsoa_name": "Cambridge 006A",
    "category": "Burglary", "outcome": "Under investigation", "context": None,
}
PARTNER_DEFAULTS: dict[str, Any] = {
    "month": "2025-01", "category": "Deliberate primary", "subcategory": None, "area_code": None,
    "area_name": None, "count": 4.0,
}


def police_frame(*overrides: dict[str, Any]) -> pd.DataFrame:
    """One row per override, typed like the reader's output (text as object with None, floats)."""
    rows = []
    for index, override in enumerate(overrides):
        row = {"crime_id": f"id{index:04d}", **POLICE_DEFAULTS, **override}
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame.insert(0, "row_number", range(2, len(frame) + 2))
    for column in ("longitude", "latitude"):
        frame[column] = frame[column].astype(float)
    for column in ("crime_id", "reported_by", "falls_within", "location", "lsoa_code", "lsoa_name",
                   "outcome", "context"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    frame["month"] = frame["month"].astype(str)
    frame["category"] = frame["category"].astype(str)
    return frame


def partner_frame(*overrides: dict[str, Any], kind_defaults: dict[str, Any] | None = None) -> pd.DataFrame:
    """A partner table frame; counts as float64, as ``to_numeric`` leaves them in the reader."""
    rows = [{**PARTNER_DEFAULTS, **(kind_defaults or {}), **o} for o in overrides]
    frame = pd.DataFrame(rows)
    frame.insert(0, "row_number", range(2, len(frame) + 2))
    frame["count"] = pd.to_numeric(frame["count"]).astype(float)
    for column in ("subcategory", "area_code", "area_name"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def population_frame(*overrides: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for index, override in enumerate(overrides):
        rows.append({"lsoa_code": f"E0101{index:04d}", "lsoa_name": f"Cambridge 001{chr(65 + index)}",
                     "msoa_code": "E02003719", "msoa_name": "Cambridge 001", "la_code": "E07000008",
                     "la_name": "Cambridge", "persons": 1500.0, "households": 600.0, **override})
    frame = pd.DataFrame(rows)
    frame.insert(0, "row_number", range(2, len(frame) + 2))
    return frame


def problems_of(check: Any) -> list[tuple[int, str | None, str]]:
    return sorted((p.row_number, p.column, p.rule) for p in check.problems)


# --- the store -------------------------------------------------------------------------------------


def _file(session: Any, kind: str, name: str, months: list[str], rows: int) -> models.InputFile:
    record = models.InputFile(
        partnership_id="cambridge", source_kind=kind, file_name=name, path=f"/data/{name}",
        sha256=hashlib.sha256(f"{kind}/{name}".encode()).hexdigest(), size_bytes=100, rows_read=rows,
        rows_accepted=rows, months=months, status="current",
    )
    session.add(record)
    session.flush()
    return record


def _month(label: str) -> dt.date:
    return dt.date(int(label[:4]), int(label[5:7]), 1)


def add_police_file(url: str, name: str, crimes: list[dict[str, Any]]) -> int:
    """A current police file holding the given crime rows (month 'YYYY-MM', lsoa_code, lsoa_name...)."""
    with session_scope(url) as session:
        ensure_cycle(session, load_partnership("cambridge"), "2025-26")
        months = sorted({c["month"] for c in crimes})
        record = _file(session, "police_uk", name, months, len(crimes))
        for number, crime in enumerate(crimes, start=2):
            session.add(models.CrimeRecord(
                input_file_id=record.id, partnership_id="cambridge", row_number=number,
                month=_month(crime["month"]), category=crime.get("category", "Burglary"),
                crime_id=crime.get("crime_id"), lsoa_code=crime.get("lsoa_code"),
                lsoa_name=crime.get("lsoa_name"), msoa_name=crime.get("msoa_name"),
                msoa_code=crime.get("msoa_code"), lsoa_mapping=crime.get("lsoa_mapping"),
                longitude=0.12, latitude=52.2, location="On or near Mill Road"))
        return record.id


def add_police_months(url: str, months: list[str], per_month: int = 2) -> None:
    """One police file per month, each with ``per_month`` crimes in one LSOA."""
    for month in months:
        add_police_file(url, f"{month}-street.csv", [
            {"month": month, "crime_id": f"{month}-{i}", "lsoa_code": "E01017943",
             "lsoa_name": "Cambridge 006A"} for i in range(per_month)])


def add_population(url: str, lsoas: list[tuple[str, str, str]], msoa_codes: dict[str, str] | None = None) -> int:
    """(lsoa_code, lsoa_name, msoa_name) rows in one current population file (MSOA codes by name)."""
    with session_scope(url) as session:
        ensure_cycle(session, load_partnership("cambridge"), "2025-26")
        record = _file(session, "population", "census2011.csv.gz", [], len(lsoas))
        for code, name, msoa in lsoas:
            session.add(models.Population(
                input_file_id=record.id, partnership_id="cambridge", lsoa_code=code, lsoa_name=name,
                msoa_code=(msoa_codes or {}).get(msoa, "E02003719"), msoa_name=msoa, la_code="E07000008",
                persons=1500, households=600))
        return record.id


def period_months() -> list[str]:
    return [str(m) for m in PERIOD.months]

