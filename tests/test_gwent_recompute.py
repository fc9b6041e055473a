"""Newport 2024-25 on the bundled Gwent data: the stored assessment equals a plain-pandas recomputation.

The recomputation reads the 24 raw police.uk files and the Census 2021 TS001 file directly and uses
none of the project's code: rows are Newport's when their 2021 LSOA code is one of Newport's (TS001:
LSOA -> MSOA -> authority W06000022) or, for the months published with 2011 codes, when the ONS
exact-fit lookup maps the 2011 code to a Newport LSOA; a Crime ID repeated within a month's file is
counted once (the repeats are quarantined, as the police suite's 'unique Crime ID' rule says).
"""

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
from tasks.assess.run import assess_partnership
from tasks.ingest.pipeline import ingest_partnership

RAW = PROJECT_ROOT / "data" / "raw"
NEWPORT = "W06000022"
CURRENT = [str(p) for p in pd.period_range("2023-07", "2024-06", freq="M")]
PREVIOUS = [str(p) for p in pd.period_range("2022-07", "2023-06", freq="M")]


def _census() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Newport's 2021 LSOAs (code, MSOA, residents) and MSOAs, straight from TS001."""
    ts = pd.read_csv(RAW / "reference" / "census2021_ts001_usual_residents_ew.csv.gz", dtype=str)
    msoas = ts[(ts["Geography area type"] == "MSOA") & (ts["Parent area code"] == NEWPORT)]
    lsoas = ts[(ts["Geography area type"] == "LSOA") & ts["Parent area code"].isin(msoas["Geography code"])]
    lsoas = pd.DataFrame({"lsoa": lsoas["Geography code"], "msoa": lsoas["Parent area code"],
                          "persons": lsoas["Total"].astype(int)})
    return lsoas, msoas


def _newport_rows(lsoas: pd.DataFrame) -> pd.DataFrame:
    """Newport's police rows, one row per counted incident, with its 2021 LSOA."""
    fit = pd.read_csv(RAW / "reference" / "lsoa2011_lsoa2021_exact_fit_ew.csv.gz", dtype=str)
    to_newport = fit[fit["lsoa21_code"].isin(lsoas["lsoa"])]
    frames = []
    for path in sorted((RAW / "police_uk" / "gwent").glob("*.csv.gz")):
        month = pd.read_csv(path, dtype=str)
        direct = month["LSOA code"].isin(lsoas["lsoa"])
        old = ~direct & month["LSOA code"].isin(to_newport["lsoa11_code"])
        rows = month[direct | old].copy()
        ids = rows["Crime ID"]
        rows = rows[~(ids.notna() & ids.duplicated())]
        frames.append(rows)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture
def newport(db_url, csp_env):
    config = load_partnership("newport")
    reports = ingest_partnership(db_url, config, "2024-25", today=dt.date(2024, 12, 1))
    assert not [r.message for r in reports if r.status == "failed"]
    assess_partnership(db_url, config, "2024-25", charts=False)
    with session_scope(db_url) as session:
        rows = session.execute(select(models.Metric.metric, models.Metric.category, models.Metric.area_type,
                                      models.Metric.area_code, models.Metric.period, models.Metric.value,
                                      models.Metric.area_name, models.Metric.label,
                                      models.Metric.source_kind)).all()
    return pd.DataFrame(rows, columns=["metric", "category", "area_type", "area_code", "period", "value",
                                       "area_name", "label", "source_kind"])


def _value(metrics: pd.DataFrame, metric: str, area_type: str, period: str = "current",
           category: str = "All", area_code: str | None = None) -> float:
    chosen = metrics[(metrics["metric"] == metric) & (metrics["area_type"] == area_type)
                     & (metrics["period"] == period) & (metrics["category"] == category)]
    if area_code is not None:
        chosen = chosen[chosen["area_code"] == area_code]
    assert len(chosen) == 1, (metric, area_type, period, category, area_code, len(chosen))
    return float(chosen["value"].iloc[0])


def test_newport_counts_rates_and_change_equal_an_independent_pandas_recomputation(newport):
    lsoas, msoas = _census()
    rows = _newport_rows(lsoas)
    current, previous = rows[rows["Month"].isin(CURRENT)], rows[rows["Month"].isin(PREVIOUS)]
    population = int(lsoas["persons"].sum())
    assert population == 159_596  # the LSOAs of Newport in TS001

    # counts, all incidents and by category
    assert _value(newport, M.COUNT, M.PARTNERSHIP) == len(current)
    assert _value(newport, M.COUNT, M.PARTNERSHIP, "previous") == len(previous)
    for category, n in current["Crime type"].value_counts().items():
        assert _value(newport, M.COUNT, M.PARTNERSHIP, category=category) == n

    # rate per 1,000 Census 2021 residents, partnership and every MSOA
    assert _value(newport, M.POPULATION, M.PARTNERSHIP) == population
    assert _value(newport, M.RATE_PER_1000, M.PARTNERSHIP) == pytest.approx(1000 * len(current) / population)
    fit = pd.read_csv(RAW / "reference" / "lsoa2011_lsoa2021_exact_fit_ew.csv.gz", dtype=str)
    assert current["LSOA code"].isin(lsoas["lsoa"]).all()  # the period is all 2021 codes: exact by MSOA
    by_msoa = current["LSOA code"].map(lsoas.set_index("lsoa")["msoa"]).value_counts()
    residents = lsoas.groupby("msoa")["persons"].sum()
    assert len(residents) == 20
    for msoa, people in residents.items():
        expected = 1000 * by_msoa.get(msoa, 0) / people
        assert _value(newport, M.RATE_PER_1000, M.AREA, area_code=msoa) == pytest.approx(expected)

    # year-on-year change of all incidents: the stored count and percentage are of every incident (the
    # significance test leaves out categories with an unaccepted recording step, and says so)
    assert _value(newport, M.CHANGE_COUNT, M.PARTNERSHIP) == len(current) - len(previous)
    assert _value(newport, M.CHANGE_PCT, M.PARTNERSHIP) == pytest.approx(
        100 * (len(current) - len(previous)) / len(previous))
    steps = newport[(newport["metric"] == M.RECORDING_STEP) & (newport["source_kind"] == "police_uk")]
    for category in set(steps["category"]):  # each flagged category really moved by a multiple
        before = (previous["Crime type"] == category).sum()
        after = (current["Crime type"] == category).sum()
        assert max(before, after) >= 2 * min(before, after), category
    assert set(previous["LSOA code"]) - set(lsoas["lsoa"]) <= set(fit["lsoa11_code"])  # 2011 codes, mapped

    # area names are the House of Commons Library place names, stored with the code
    names = pd.read_csv(RAW / "reference" / "msoa2021_names_hcl_v2.3_ew.csv.gz", dtype=str,
                        encoding="utf-8-sig").set_index("msoa21cd")["msoa21hclnm"]
    stored = newport[(newport["metric"] == M.POPULATION) & (newport["area_type"] == M.AREA)]
    assert dict(zip(stored["area_code"], stored["area_name"], strict=True)) == {
        code: names[code] for code in msoas["Geography code"]}
    _check_new_homes_share(newport, lsoas, fit)


def _check_new_homes_share(newport: pd.DataFrame, lsoas: pd.DataFrame, fit: pd.DataFrame) -> None:
    """Per MSOA, the share of residents in 2021 LSOAs that are parts of 2011 splits (or new)."""
    created = set(fit.loc[fit["change_code"].isin(["S", "X"]), "lsoa21_code"])
    created |= set(lsoas["lsoa"]) - set(fit["lsoa21_code"])
    lsoas["new"] = lsoas["lsoa"].isin(created)
    expected = (lsoas["persons"].where(lsoas["new"], 0).groupby(lsoas["msoa"]).sum()
                / lsoas.groupby("msoa")["persons"].sum())
    stored = newport[newport["metric"] == M.NEW_HOMES_SHARE].set_index("area_code")["value"]
    assert stored.to_dict() == pytest.approx(expected.to_dict())
    assert 0 < (stored > 0).sum() < len(stored)  # some Newport MSOAs grew since 2011, most did not
