"""The ingest-and-validate flow end to end on the bundled Cambridge data, twice."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pandas as pd
import pytest
from sqlalchemy import select

from csp.settings import PROJECT_ROOT
from csp.store import models
from csp.store.db import session_scope
from flows.ingest_and_validate import ingest_and_validate
from tasks.ingest.report import BlockingProblems
from tests.ingest_helpers import count

TODAY = dt.date(2026, 11, 23)
REFERENCE = PROJECT_ROOT / "data" / "raw" / "reference"
POPULATION = REFERENCE / "census2011_lsoa_population_ew.csv.gz"


@pytest.mark.usefixtures("prefect_harness", "csp_env")
def test_flow_ingests_validates_and_is_idempotent(sqlite_url):
    first = ingest_and_validate("cambridge", "2025-26", database_url=sqlite_url, today=TODAY)
    stored = {r["kind"]: 0 for r in first["files"]}
    for r in first["files"]:
        stored[r["kind"]] += r["rows_accepted"] if r["status"] == "stored" else 0
    assert count(sqlite_url, models.CrimeRecord) == stored["police_uk"] > 15_000
    assert first["validation"]["blocking"] == []
    [boundaries] = [r for r in first["files"] if r["kind"] == "boundaries"]
    features = json.loads((REFERENCE / "lsoa2021_boundaries" /
                           "cambridgeshire_peterborough_E47000008.geojson").read_text())["features"]
    census = pd.read_csv(REFERENCE / "census2021_ts001_usual_residents_ew.csv.gz", dtype=str)
    msoas = census.loc[census["Parent area code"] == "E07000008", "Geography code"]
    lsoas = set(census.loc[census["Parent area code"].isin(msoas), "Geography code"])
    in_cambridge = sum(f["properties"]["LSOA21CD"] in lsoas for f in features)
    assert (boundaries["rows_read"], boundaries["rows_accepted"]) == (len(features), in_cambridge) == (516, 78)
    assert first["validation"]["lsoa_match_rate_pct"] == 100.0  # 2021 codes vs Census 2021 population
    # October-December 2025 belong to the year in progress (cycle 2026-27): skipped, not counted, no failure
    later = [r for r in first["files"] if r["label"].startswith(("2025-10", "2025-11", "2025-12"))]
    assert len(later) == 3 and {r["status"] for r in later} == {"skipped"}

    again = ingest_and_validate("cambridge", "2025-26", database_url=sqlite_url, today=TODAY)
    assert {r["status"] for r in again["files"]} <= {"unchanged", "skipped"}
    assert count(sqlite_url, models.CrimeRecord) == stored["police_uk"]


def test_population_thousands_separators_are_read_as_numbers(sqlite_url):
    """The 2011 option (geography.vintage: 2011) still reads the Census 2011 file's '1,563'."""
    from csp.config import Geography, load_partnership
    from tasks.ingest.pipeline import ingest_source

    config = load_partnership("cambridge")
    sources = {**config.sources, "population": config.sources["population"].model_copy(
        update={"path": "raw/reference/census2011_lsoa_population_ew.csv.gz"})}
    config = config.model_copy(update={"geography": Geography(vintage=2011), "sources": sources})
    ingest_source(sqlite_url, config, "2025-26", "population", today=TODAY)
    with gzip.open(POPULATION, "rt", encoding="utf-8") as f:
        census = pd.read_csv(f, thousands=",")
    cambridge = census[census["Local authority code"] == "E07000008"]
    with session_scope(sqlite_url) as session:
        rows = {r.lsoa_code: r.persons for r in session.scalars(select(models.Population)).all()}
    assert rows == dict(zip(cambridge["LSOA Code"], cambridge["Persons"], strict=True))
    assert sum(rows.values()) == int(cambridge["Persons"].sum()) > 100_000


def test_idva_quarters_are_stored_as_three_month_periods(sqlite_url):
    from csp.config import load_partnership
    from tasks.ingest.pipeline import ingest_source

    config = load_partnership("cambridge")
    reports = ingest_source(sqlite_url, config, "2020-21", "idva", today=TODAY)
    seed = next(r for r in reports if "seed" in r.label)
    # Q3 2020-21 (October 2020) lies after the 2020-21 assessment period: quarantined, not lost
    assert (seed.status, seed.rows_read, seed.rows_accepted, seed.rows_quarantined,
            seed.rows_outside_area) == ("stored", 32, 6, 1, 25)
    with session_scope(sqlite_url) as session:
        records = session.scalars(select(models.PartnerRecord).where(
            models.PartnerRecord.source_kind == "idva").order_by(models.PartnerRecord.month)).all()
        assert [(r.month.isoformat(), r.period_months, r.count) for r in records] == [
            ("2019-04-01", 3, 67), ("2019-07-01", 3, 61), ("2019-10-01", 3, 50), ("2020-01-01", 3, 43),
            ("2020-04-01", 3, 50), ("2020-07-01", 3, 55)]


def test_blocking_problems_name_every_refused_file():
    summary = {"files": [{"status": "failed", "message": "a.csv: header only"},
                         {"status": "stored", "message": ""}],
               "validation": {"blocking": ["police_uk: 2025-03 missing"]}}
    problem = BlockingProblems.from_summary(summary)
    assert "a.csv: header only" in str(problem) and "2025-03 missing" in str(problem)
    assert BlockingProblems.from_summary({"files": [], "validation": {"blocking": []}}) is None
