"""2021 geography: 2011 codes mapped through the exact-fit lookup (splits and merges counted), the
Census 2021 population with House of Commons Library names and wards stored, and validation stating
how rows were placed. Expected values are computed here from the raw reference files with pandas."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from csp import metrics as M
from csp.config import load_partnership
from csp.settings import PROJECT_ROOT
from csp.store import models
from csp.store.db import session_scope
from tasks.ingest import area
from tasks.ingest.files import discover
from tasks.ingest.pipeline import ingest_source
from tasks.ingest.readers import parse_police_uk

REF = PROJECT_ROOT / "data" / "raw" / "reference"
GWENT = PROJECT_ROOT / "data" / "raw" / "police_uk" / "gwent"


@pytest.fixture(scope="module")
def census() -> pd.DataFrame:
    ts = pd.read_csv(REF / "census2021_ts001_usual_residents_ew.csv.gz", dtype=str)
    lsoa = ts[ts["Geography area type"] == "LSOA"]
    msoa = ts[ts["Geography area type"] == "MSOA"].set_index("Geography code")["Parent area code"]
    return pd.DataFrame({"lsoa": lsoa["Geography code"].to_numpy(), "msoa": lsoa["Parent area code"].to_numpy(),
                         "la": lsoa["Parent area code"].map(msoa).to_numpy(),
                         "persons": lsoa["Total"].astype(int).to_numpy()}).set_index("lsoa")


@pytest.fixture(scope="module")
def fit() -> pd.DataFrame:
    return pd.read_csv(REF / "lsoa2011_lsoa2021_exact_fit_ew.csv.gz", dtype=str)


def test_2011_codes_map_exactly_or_to_the_most_populous_part(census, fit):
    ref = area.reference(load_partnership("newport"))
    split = fit[(fit["change_code"] == "S") & fit["lsoa11_name"].str.startswith("Newport")]["lsoa11_code"].iloc[0]
    merged = fit[fit["change_code"] == "M"].iloc[0]
    unchanged = fit[fit["change_code"] == "U"].iloc[0]
    direct = census.index[census["la"] == "W06000022"][0]
    codes = pd.Series([direct, unchanged["lsoa11_code"], split, merged["lsoa11_code"], "W01999999", None])
    placed = area.place_lsoa_codes(codes, ref)
    children = fit.loc[fit["lsoa11_code"] == split, "lsoa21_code"]
    assert len(children) >= 2
    largest = census.loc[children, "persons"].sort_values(ascending=False).index[0]
    assert placed["lsoa21_code"].tolist() == [direct, unchanged["lsoa21_code"], largest,
                                              merged["lsoa21_code"], None, None]
    assert placed["lsoa_mapping"].tolist() == ["2021", "2021", "2011-S", "2011-M", "unmatched", None]


def test_a_2011_vintage_month_of_gwent_is_placed_and_its_splits_counted(census, fit):
    config = load_partnership("newport")
    [source], _ = discover(GWENT / "2022-07-gwent-street.csv.gz")
    frame, _ = parse_police_uk(source)
    split = area.split_police(frame, config)
    raw = pd.read_csv(GWENT / "2022-07-gwent-street.csv.gz", dtype=str)
    newport = census.index[census["la"] == "W06000022"]
    direct = raw["LSOA code"].isin(newport)
    changes = fit[fit["lsoa21_code"].isin(newport)].drop_duplicates("lsoa11_code").set_index("lsoa11_code")
    old = ~raw["LSOA code"].isin(census.index) & raw["LSOA code"].isin(changes.index)
    how = raw.loc[old, "LSOA code"].map(changes["change_code"]).value_counts()
    assert len(split.inside) == int(direct.sum() + old.sum())
    assert split.mapping["2021"] == int(direct.sum())
    assert {k: v for k, v in split.mapping.items() if k.startswith("2011-")} == {
        f"2011-{code}": int(n) for code, n in how.items()}
    assert split.mapping.get("2011-S", 0) > 0  # July 2022 was published with 2011 codes: splits occur
    assert split.unlocated == int(raw["LSOA code"].isna().sum())
    assert set(split.inside["lsoa_code"]) <= set(newport)


def test_a_forces_month_is_placed_once_for_all_its_partnerships(monkeypatch):
    """The second partnership of a force reuses the placement of the same (shared) frame; its split is
    what a fresh placement gives."""
    [source], _ = discover(GWENT / "2022-07-gwent-street.csv.gz")
    frame, _ = parse_police_uk(source)
    newport, torfaen = load_partnership("newport"), load_partnership("torfaen")
    calls = []
    placing = area.place_lsoa_codes
    monkeypatch.setattr(area, "place_lsoa_codes", lambda codes, ref: calls.append(1) or placing(codes, ref))
    area.split_police(frame, newport)
    reused = area.split_police(frame, torfaen)
    assert len(calls) == 1
    fresh = area.split_police(frame.copy(), torfaen)
    assert len(calls) == 2
    pd.testing.assert_frame_equal(reused.inside, fresh.inside)
    assert (reused.outside, reused.unlocated, reused.mapping) == (fresh.outside, fresh.unlocated, fresh.mapping)
    assert len(reused.inside) > 0 and set(reused.inside["lsoa_code"]).isdisjoint(
        area.split_police(frame, newport).inside["lsoa_code"])


def test_population_is_census_2021_with_place_names_wards_and_changes(db_url, csp_env, census):
    config = load_partnership("cambridge")
    [report] = ingest_source(db_url, config, "2025-26", "population", today=dt.date(2026, 1, 15))
    assert report.status == "stored"
    with session_scope(db_url) as session:
        rows = pd.DataFrame([(r.lsoa_code, r.msoa_code, r.msoa_place_name, r.ward_name, r.persons,
                              r.census_year, r.lsoa_change) for r in session.scalars(select(models.Population))],
                            columns=["lsoa", "msoa", "place", "ward", "persons", "year", "change"])
    cambridge = census[census["la"] == "E07000008"]
    assert dict(zip(rows["lsoa"], rows["persons"], strict=True)) == cambridge["persons"].to_dict()
    assert rows["persons"].sum() == 145_675 and set(rows["year"]) == {2021}
    names = pd.read_csv(REF / "msoa2021_names_hcl_v2.3_ew.csv.gz", dtype=str, encoding="utf-8-sig")
    names = names.set_index("msoa21cd")["msoa21hclnm"]
    assert rows.set_index("msoa")["place"].groupby(level=0).first().to_dict() == {
        m: names[m] for m in cambridge["msoa"].unique()}
    assert rows.loc[rows["msoa"] == "E02003725", "place"].iloc[0] == "Central & West Cambridge"
    wards = pd.read_csv(REF / "lsoa2021_ward2024_lad2024_ew.csv.gz", dtype=str).set_index("lsoa21_code")
    assert rows.set_index("lsoa")["ward"].to_dict() == wards.loc[rows["lsoa"], "ward24_name"].to_dict()
    assert rows["ward"].nunique() == 14


def test_validation_states_rows_mapped_from_2011_and_unplaced(db_url, csp_env, fit, census):
    from tasks.validate.cycle import validate_cycle

    config = load_partnership("newport")
    today = dt.date(2024, 12, 1)
    ingest_source(db_url, config, "2024-25", "population", today=today)
    ingest_source(db_url, config, "2024-25", "police_uk", path=GWENT / "2022-07-gwent-street.csv.gz",
                  today=today)
    ingest_source(db_url, config, "2024-25", "police_uk", path=GWENT / "2023-07-gwent-street.csv.gz",
                  today=today)
    result = validate_cycle(db_url, "newport", "2024-25", today=today, build_docs=False)
    raw = pd.read_csv(GWENT / "2022-07-gwent-street.csv.gz", dtype=str)
    newport = census.index[census["la"] == "W06000022"]
    to_newport = set(fit.loc[fit["lsoa21_code"].isin(newport), "lsoa11_code"])
    old = raw[~raw["LSOA code"].isin(census.index) & raw["LSOA code"].isin(to_newport)]
    old = old[~(old["Crime ID"].notna() & old["Crime ID"].duplicated())]
    assert result.match_rates.mapped_from_2011 == len(old) > 0
    assert result.as_dict()["rows_mapped_from_2011"] == len(old)
    assert f"{len(old):,} rows carried 2011 LSOA codes" in result.as_dict()["lsoa_mapping"]
    assert result.match_rates.lsoa.pct == 100.0  # every placed row has a Census 2021 population
    with session_scope(db_url) as session:
        stored = session.scalar(select(models.Metric.value).where(models.Metric.metric == M.ROWS_MAPPED_FROM_2011))
    assert stored == len(old)
    text = (csp_env / "output" / "newport" / "2024-25" / "data-quality" / "coverage.html").read_text()
    assert "carried 2011 LSOA codes" in text and "Census 2021" in text


def test_ward_areas_are_keyed_by_ward_code_and_named_by_ward(sqlite_url, tmp_path):
    """area_unit kind 'ward': the population's 2021 LSOA -> ward columns place rows and name areas."""
    from sqlalchemy import update

    from csp.config import AreaUnit
    from tasks.assess.run import assess_partnership
    from tests.assess_helpers import CYCLE, build_store

    config = build_store(sqlite_url)
    wards = {"E01000001": ("E05000001", "Market"), "E01000002": ("E05000002", "Petersfield"),
             "E01000003": ("E05000002", "Petersfield")}
    with session_scope(sqlite_url) as session:
        for code, (ward, name) in wards.items():
            session.execute(update(models.Population).where(models.Population.lsoa_code == code)
                            .values(ward_code=ward, ward_name=name))
    config = config.model_copy(update={"area_unit": AreaUnit(kind="ward", label="Ward")})
    assess_partnership(sqlite_url, config, CYCLE, output_dir=tmp_path, charts=False)
    with session_scope(sqlite_url) as session:
        rows = session.execute(select(models.Metric.area_code, models.Metric.area_name, models.Metric.value)
                               .where(models.Metric.metric == M.POPULATION,
                                      models.Metric.area_type == M.AREA)).all()
        rate = session.scalar(select(models.Metric.value).where(
            models.Metric.metric == M.RATE_PER_1000, models.Metric.area_type == M.AREA,
            models.Metric.category == "All", models.Metric.area_code == "E05000002"))
    # Petersfield: Cambridge 001B (1,500 residents, 25 ASB) and 002A (2,000, 12 vehicle crimes)
    assert {(c, n, v) for c, n, v in rows} == {("E05000001", "Market", 1000.0),
                                               ("E05000002", "Petersfield", 3500.0)}
    assert rate == pytest.approx(1000 * (25 + 12) / 3500)
