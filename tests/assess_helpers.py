"""A small two-year store for the assessment tests, inserted directly (no ingestion).

Partnership: Cambridge (its real configuration), cycle 2025-26: current period October 2024 to
September 2025, previous period October 2023 to September 2024. Every number below is chosen so the
expected results can be worked out by hand in the tests.

Population (Census LSOAs; the fixture has no place names, so areas are named by MSOA name):
    E01000001 Cambridge 001A  1,000  (MSOA Cambridge 001)
    E01000002 Cambridge 001B  1,500  (MSOA Cambridge 001)   -> Cambridge 001: 2,500
    E01000003 Cambridge 002A  2,000  (MSOA Cambridge 002)
    E01000004 Cambridge 003A      0  (MSOA Cambridge 003)   -> zero population
    E01000006 Cambridge 005A     60  (MSOA Cambridge 005)   -> below the 100 minimum
Crime rows also use E01000005 Cambridge 004A, which is in no population row: under 2021 geography
such a row is in no area (counted as not placed); at LSOA level it is shown with "no population".

Police rows, current period (file months 2024-10..2025-09; March 2025 holds no rows at all):
    Burglary               60  Cambridge 001A  6 a month in Oct-Feb and Apr-Aug
    Anti-social behaviour  25  Cambridge 001B  5 a month in Oct-Feb
    Vehicle crime          12  Cambridge 002A  Oct-Feb and Apr-Sep one a month (11), plus one more in Sep
    Public order            6  Cambridge 005A  3 in Oct, 3 in Nov
    Drugs                   3  Cambridge 004A  3 in Oct
    Robbery                 0                  (missing entirely from the year)
    total                 106
Police rows, previous period (file months 2023-10..2024-09):
    Burglary               30  Cambridge 001A  3 a month in Oct-Jul
    Anti-social behaviour  25  Cambridge 001B  5 a month in Oct-Feb
    Vehicle crime          12  Cambridge 002A  1 a month
    Robbery                10  Cambridge 002A  1 a month in Oct-Jul
    total                  77
Partners: fire (current period only: 'Deliberate primary' 2 a month = 24, 'Accidental primary' 5 a month
= 60), IDVA quarterly (current 50, 55, 60, 45; previous only two quarters), hate crime (previous period
only: Race 20 in January 2024), no ambulance, A&E or council ASB data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import insert

from csp.config import Partnership, load_partnership
from csp.store import models
from csp.store.db import ensure_partnership, session_scope

PARTNERSHIP = "cambridge"
CYCLE = "2025-26"
CURRENT = [str(p) for p in pd.period_range("2024-10", "2025-09", freq="M")]
PREVIOUS = [str(p) for p in pd.period_range("2023-10", "2024-09", freq="M")]
NO_MARCH = [m for m in CURRENT if m != "2025-03"]

LSOAS = {
    "E01000001": ("Cambridge 001A", "E02000001", "Cambridge 001", 1000),
    "E01000002": ("Cambridge 001B", "E02000001", "Cambridge 001", 1500),
    "E01000003": ("Cambridge 002A", "E02000002", "Cambridge 002", 2000),
    "E01000004": ("Cambridge 003A", "E02000003", "Cambridge 003", 0),
    "E01000006": ("Cambridge 005A", "E02000005", "Cambridge 005", 60),
}
NAMES = {code: v[0] for code, v in LSOAS.items()} | {"E01000005": "Cambridge 004A"}

# (category, lsoa code, {month: n})
CURRENT_CRIME = [
    ("Burglary", "E01000001", {m: 6 for m in NO_MARCH[:10]}),
    ("Anti-social behaviour", "E01000002", {m: 5 for m in CURRENT[:5]}),
    ("Vehicle crime", "E01000003", {**{m: 1 for m in NO_MARCH}, "2025-09": 2}),
    ("Public order", "E01000006", {"2024-10": 3, "2024-11": 3}),
    ("Drugs", "E01000005", {"2024-10": 3}),
]
PREVIOUS_CRIME = [
    ("Burglary", "E01000001", {m: 3 for m in PREVIOUS[:10]}),
    ("Anti-social behaviour", "E01000002", {m: 5 for m in PREVIOUS[:5]}),
    ("Vehicle crime", "E01000003", {m: 1 for m in PREVIOUS}),
    ("Robbery", "E01000003", {m: 1 for m in PREVIOUS[:10]}),
]


def config() -> Partnership:
    return load_partnership(PARTNERSHIP)


def _date(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:]), 1)


def add_file(session, kind: str, name: str, months: Iterable[str], illustrative: bool = False) -> int:  # noqa: ANN001
    months = sorted(months)
    row = models.InputFile(
        partnership_id=PARTNERSHIP, source_kind=kind, file_name=name, path=f"/fixture/{name}",
        sha256=(name * 64)[:64], size_bytes=1, rows_read=0, rows_accepted=0, months=months,
        month_min=_date(months[0]) if months else None, month_max=_date(months[-1]) if months else None,
        illustrative=illustrative, status="current")
    session.add(row)
    session.flush()
    return row.id


def add_crimes(session, file_id: int, rows: list[tuple[str, str, dict[str, int]]]) -> None:  # noqa: ANN001
    records = []
    for category, code, months in rows:
        for month, n in months.items():
            name = NAMES[code]
            records += [{"input_file_id": file_id, "partnership_id": PARTNERSHIP, "row_number": len(records) + 2,
                         "month": _date(month), "category": category, "crime_id": None, "lsoa_code": code,
                         "lsoa_name": name, "msoa_name": name[:-1], "location": "On or near X",
                         "longitude": 0.1, "latitude": 52.2, "outcome": None} for _ in range(n)]
    session.execute(insert(models.CrimeRecord), records)


def add_population(session, file_id: int) -> None:  # noqa: ANN001
    session.execute(insert(models.Population), [
        {"input_file_id": file_id, "partnership_id": PARTNERSHIP, "lsoa_code": code, "lsoa_name": name,
         "msoa_code": msoa_code, "msoa_name": msoa, "la_code": "E07000008", "persons": persons,
         "households": None} for code, (name, msoa_code, msoa, persons) in LSOAS.items()])


def add_partner(session, file_id: int, kind: str, rows: list[tuple[str, str, int]], period_months: int = 1,
                area_name: str | None = None) -> None:  # noqa: ANN001
    session.execute(insert(models.PartnerRecord), [
        {"input_file_id": file_id, "partnership_id": PARTNERSHIP, "source_kind": kind, "row_number": i + 2,
         "month": _date(month), "period_months": period_months, "category": category, "subcategory": None,
         "area_code": None, "area_name": area_name, "count": n} for i, (month, category, n) in enumerate(rows)])


def build_store(url: str) -> Partnership:
    """Insert the two-year fixture described in the module docstring; returns the configuration."""
    cfg = config()
    with session_scope(url) as session:
        ensure_partnership(session, cfg)
        add_population(session, add_file(session, "population", "population.csv", []))
        add_crimes(session, add_file(session, "police_uk", "police_previous.csv", PREVIOUS), PREVIOUS_CRIME)
        add_crimes(session, add_file(session, "police_uk", "police_current.csv", CURRENT), CURRENT_CRIME)
        fire = [(m, "Deliberate primary", 2) for m in CURRENT] + [(m, "Accidental primary", 5) for m in CURRENT]
        add_partner(session, add_file(session, "fire", "fire_illustrative.csv", CURRENT, True), "fire", fire)
        quarters = ["2024-04", "2024-07", "2024-10", "2025-01", "2025-04", "2025-07"]
        idva = [(q, "IDVA referrals", n) for q, n in zip(quarters, [40, 45, 50, 55, 60, 45], strict=True)]
        add_partner(session, add_file(session, "idva", "idva.csv", quarters), "idva", idva, period_months=3,
                    area_name="Cambridge")
        add_partner(session, add_file(session, "hate_crime", "hate_previous.csv", ["2024-01"]), "hate_crime",
                    [("2024-01", "Race", 20)])
    return cfg
