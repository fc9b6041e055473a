"""Places: counts, rates per 1,000 residents and shares, per area and per LSOA.

The area unit is configured. Under 2021 geography (the default) crime rows carry the 2021 LSOA they
were placed in at ingest, and the Census 2021 population names each LSOA's MSOA and ward, so an area
is found by code: ``kind: msoa`` keys areas by MSOA code and names them with the House of Commons
Library place name ("Central & West Cambridge", code E02003725); ``kind: ward`` by 2024 ward code and
name. With ``kind: lookup`` a CSV (lsoa_code, area_code, area_name) places both crime rows and
population LSOAs. Under 2011 geography a crime row's area is its LSOA name minus the final letter
("Cambridge 008E" -> "Cambridge 008"), matched to the 2011 population's MSOA name.

An area whose population is missing, zero or below ``thresholds.min_area_population`` gets no rate
(None, with the reason as label) and is stated; population coverage (the share of rows placed in an
area with a usable population) is reported beside every rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csp import metrics as M
from tasks.assess.coverage import CURRENT, PREVIOUS, SourceCoverage
from tasks.assess.levels import table_name as levels_table
from tasks.assess.load import StoreInputs
from tasks.assess.params import AssessParams
from tasks.assess.rows import ALL, NOT_PLACED, TOTAL, CountTable, MetricRow, link_totals, metric_row

KIND = "police_uk"
NO_POPULATION, SMALL_POPULATION, NOT_MATCHED = M.RATE_NOT_GIVEN_LABELS


@dataclass(frozen=True)
class Unit:
    """One geography's results: ``areas`` (one row per area), ``counts`` per period."""

    area_type: str
    areas: pd.DataFrame  # index key: area_code, area_name, population, usable, reason
    counts: dict[str, pd.DataFrame]  # period -> areas x categories (+ All), with Not placed and Total
    rates: pd.DataFrame  # areas x categories: rate per 1,000 (NaN where not given)
    coverage: pd.DataFrame  # per category: total, covered, pct, not_placed


@dataclass(frozen=True)
class Places:
    area: Unit
    lsoa: Unit
    top: pd.DataFrame  # areas x categories: True where in the top share by rate
    ranks: pd.DataFrame  # areas x categories: rank by rate (1 = highest)
    top_categories: pd.Series  # area key -> number of categories (excluding All) in the top share
    lsoa_area: pd.Series  # census LSOA code -> area key, for drawing areas from LSOA boundaries
    metrics: tuple[MetricRow, ...]
    tables: tuple[CountTable, ...]


def table_name(area_type: str, period: str) -> str:
    return f"{area_type}:{period}"


def _msoa_of(names: pd.Series) -> pd.Series:
    return names.astype("string").str.replace(r"[A-Z]$", "", regex=True).str.strip().astype(object)


_AREA_COLUMNS = {"msoa": ("msoa_code", "msoa_place_name"), "ward": ("ward_code", "ward_name")}


def _by_code(params: AssessParams) -> bool:
    """Areas found from the population's 2021 LSOA -> MSOA/ward columns (not a lookup, not 2011 names)."""
    return params.area_kind in _AREA_COLUMNS and params.geography_vintage == 2021


def _lsoa_to_area(population: pd.DataFrame, params: AssessParams) -> pd.Series:
    code, _ = _AREA_COLUMNS[params.area_kind]
    return population.dropna(subset=[code]).set_index("lsoa_code")[code]


def place_events(events: pd.DataFrame, inputs: StoreInputs, params: AssessParams) -> pd.DataFrame:
    """Police rows with ``area_key`` (configured unit) and ``lsoa_key`` (LSOA code); None = unplaced."""
    rows = events[(events["source_kind"] == KIND) & events["period"].notna()].copy()
    if params.area_kind == "lookup" and inputs.lookup is not None:
        rows["area_key"] = rows["lsoa_code"].map(inputs.lookup.set_index("lsoa_code")["area_code"])
    elif _by_code(params):
        rows["area_key"] = rows["lsoa_code"].map(_lsoa_to_area(inputs.population, params))
    else:
        msoa = rows["msoa_name"].where(rows["msoa_name"].notna(), _msoa_of(rows["lsoa_name"]))
        rows["area_key"] = msoa
    rows["area_key"] = rows["area_key"].astype(object).where(rows["area_key"].notna(), None)
    rows["lsoa_key"] = rows["lsoa_code"].astype(object).where(rows["lsoa_code"].notna(), None)
    return rows


def _area_population(inputs: StoreInputs, params: AssessParams) -> pd.DataFrame:
    pop = inputs.population
    if params.area_kind == "lookup" and inputs.lookup is not None:
        lookup = inputs.lookup.set_index("lsoa_code")
        keyed = pop.assign(key=pop["lsoa_code"].map(lookup["area_code"]),
                           name=pop["lsoa_code"].map(lookup["area_name"])).dropna(subset=["key"])
        return keyed.groupby("key").agg(area_code=("key", "first"), area_name=("name", "first"),
                                        population=("persons", "sum"))
    if _by_code(params):
        code, name = _AREA_COLUMNS[params.area_kind]
        fallback = pop["msoa_name"] if params.area_kind == "msoa" else pop[code]
        named = pop.assign(name=pop[name].where(pop[name].notna(), fallback.where(fallback.notna(), pop[code])))
        return named.dropna(subset=[code]).groupby(code).agg(
            area_code=(code, "first"), area_name=("name", "first"), population=("persons", "sum"))
    return pop.groupby("msoa_name").agg(area_code=("msoa_code", "first"),
                                        area_name=("msoa_name", "first"), population=("persons", "sum"))


def _lsoa_population(inputs: StoreInputs) -> pd.DataFrame:
    pop = inputs.population
    return pop.groupby("lsoa_code").agg(area_code=("lsoa_code", "first"), area_name=("lsoa_name", "first"),
                                        population=("persons", "sum"))


def _area_names(rows: pd.DataFrame, key: str, inputs: StoreInputs, params: AssessParams) -> pd.Series:
    """Display names for areas seen only in crime rows (no population match)."""
    if key == "lsoa_key":
        return rows.dropna(subset=[key]).groupby(key)["lsoa_name"].first()
    if params.area_kind == "lookup" and inputs.lookup is not None:
        return inputs.lookup.set_index("area_code")["area_name"].groupby(level=0).first()
    if _by_code(params):
        return _area_population(inputs, params)["area_name"]
    keys = rows[key].dropna().unique()
    return pd.Series(keys, index=keys, dtype=object)


def _areas(rows: pd.DataFrame, key: str, population: pd.DataFrame, names: pd.Series,
           params: AssessParams) -> pd.DataFrame:
    keys = sorted(set(population.index) | set(rows[key].dropna()))
    areas = population.reindex(keys)
    seen_names = names.reindex(keys)
    areas["area_name"] = areas["area_name"].where(areas["area_name"].notna(), seen_names)
    areas["area_code"] = areas["area_code"].where(areas["area_code"].notna(), None)
    if key == "lsoa_key":
        areas["area_code"] = keys
    pop = areas["population"].astype(float)
    matched = pd.Series(areas.index.isin(set(rows[key].dropna())), index=areas.index)
    if params.geography_vintage == 2021:
        matched[:] = True  # codes match exactly: a populated area without rows is a real zero
    areas["usable"] = pop.notna() & (pop > 0) & (pop >= params.min_area_population) & matched
    areas["reason"] = np.select(
        [pop.isna() | (pop <= 0), pop < params.min_area_population, ~matched],
        [NO_POPULATION, SMALL_POPULATION, NOT_MATCHED], default=None).astype(object)
    areas["reason"] = areas["reason"].where(~areas["usable"], None)
    areas.index.name = "key"
    return areas


def _count_table(rows: pd.DataFrame, key: str, keys: list[str], categories: list[str],
                 period: str) -> pd.DataFrame:
    chosen = rows[rows["period"] == period]
    placed = chosen.dropna(subset=[key])
    wide = (placed.pivot_table(index=key, columns="category", values="count", aggfunc="sum")
            .reindex(index=keys, columns=categories).fillna(0.0).astype(float))
    unplaced = chosen[chosen[key].isna()].groupby("category")["count"].sum()
    wide.loc[NOT_PLACED] = unplaced.reindex(categories).fillna(0.0).astype(float)
    wide.loc[TOTAL] = wide.sum(axis=0)
    wide[ALL] = wide[categories].sum(axis=1)
    return wide


def _unit(rows: pd.DataFrame, key: str, area_type: str, population: pd.DataFrame, names: pd.Series,
          categories: list[str], periods: list[str], params: AssessParams) -> Unit:
    areas = _areas(rows, key, population, names, params)
    keys = list(areas.index)
    counts = {period: _count_table(rows, key, keys, categories, period) for period in periods}
    current = counts[CURRENT]
    pop = areas["population"].astype(float).where(areas["usable"])
    rates = current.loc[keys].div(pop, axis=0) * 1000.0
    covered = current.loc[keys].loc[areas["usable"]].sum(axis=0)
    total = current.loc[TOTAL]
    coverage = pd.DataFrame({"total": total, "covered": covered})
    coverage["pct"] = np.where(total > 0, 100.0 * covered / total.where(total > 0), np.nan)
    coverage["not_placed"] = total - covered
    return Unit(area_type, areas, counts, rates, coverage)


def top_count(n_rated: int, share: float) -> int:
    """How many areas make the top ``share``: rounded down, never up (11 areas, 20% -> 2)."""
    return math.floor(share * n_rated + 1e-9) if n_rated else 0


def _top(unit: Unit, share: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rank areas by rate per category; the top ``share`` of areas with a rate (and rate > 0).

    The threshold is the rate of the k-th highest area, k = floor(share x areas rated) (the 80th
    percentile for 20%, by nearest rank rounded down); areas tied with it are included, and
    :func:`tied_at_threshold` names them.
    """
    rates = unit.rates.loc[unit.areas["usable"]]
    ranks = rates.rank(ascending=False, method="min")
    n_top = rates.notna().sum().map(lambda n: top_count(int(n), share))
    top = (ranks <= n_top) & (rates > 0)
    return top, ranks


def tied_at_threshold(top: pd.DataFrame, ranks: pd.DataFrame, share: float) -> dict[str, list[str]]:
    """Per category where ties take the top share beyond k areas: the areas tied at the threshold."""
    out = {}
    for category in top.columns:
        chosen = top.index[top[category]]
        k = top_count(int(ranks[category].notna().sum()), share)
        if len(chosen) > k:
            threshold_rank = ranks.loc[chosen, category].max()
            out[str(category)] = [str(key) for key in chosen if ranks.at[key, category] == threshold_rank]
    return out


def _unit_rows(unit: Unit, params: AssessParams, ids: list[int], pop_ids: list[int]) -> list[MetricRow]:
    out: list[MetricRow] = []
    at = unit.area_type
    # the tables as plain dictionaries, read once: a cell lookup through pandas (.at) for every area,
    # category and period was most of this function's time on an authority's few thousand cells
    counts = {period: table.to_dict() for period, table in unit.counts.items()}
    rates = unit.rates.to_dict()
    for key, area in unit.areas.iterrows():
        where = {"area_type": at, "area_code": area["area_code"], "area_name": area["area_name"]}
        out.append(metric_row(M.POPULATION, KIND, ALL, CURRENT, area["population"],
                              label=None if pd.notna(area["population"]) else NO_POPULATION,
                              input_file_ids=pop_ids, **where))
        for period, table in unit.counts.items():
            name = table_name(at, period)
            cells = counts[period]
            for category in table.columns:
                cell = (name, str(key), str(category))
                count = cells[category][key]
                out.append(metric_row(M.COUNT, KIND, category, period, count,
                                      cell=cell, input_file_ids=ids, **where))
                if period != CURRENT:
                    continue
                total_cell = (name, TOTAL, str(category))
                total = cells[category][TOTAL]
                out.append(metric_row(M.SHARE_PCT, KIND, category, period,
                                      100.0 * count / total if total > 0 else None,
                                      bases=(cell, total_cell), input_file_ids=ids, **where))
                rate = rates[category][key]
                out.append(metric_row(M.RATE_PER_1000, KIND, category, period, rate,
                                      label=None if area["usable"] else area["reason"], bases=(cell,),
                                      input_file_ids=ids + pop_ids, **where))
    return out


def _coverage_rows(unit: Unit, ids: list[int], pop_ids: list[int]) -> list[MetricRow]:
    out = []
    name = table_name(unit.area_type, CURRENT)
    for category, row in unit.coverage.iterrows():
        bases = ((name, TOTAL, str(category)),)
        common = {"area_type": unit.area_type, "input_file_ids": ids + pop_ids, "bases": bases}
        out.append(metric_row(M.POPULATION_COVERAGE_PCT, KIND, str(category), CURRENT, row["pct"], **common))
        out.append(metric_row(M.NOT_PLACED_COUNT, KIND, str(category), CURRENT, row["not_placed"], **common))
    return out


def _top_rows(places_top: pd.DataFrame, ranks: pd.DataFrame, counts: pd.Series, unit: Unit,
              ids: list[int], share: float) -> list[MetricRow]:
    out = []
    ties = tied_at_threshold(places_top, ranks, share)
    for key in places_top.index:
        area = unit.areas.loc[key]
        where = {"area_type": M.AREA, "area_code": area["area_code"], "area_name": area["area_name"],
                 "input_file_ids": ids}
        for category in places_top.columns:
            if pd.isna(ranks.at[key, category]):
                continue
            out.append(metric_row(M.RANK_BY_RATE, KIND, category, CURRENT, ranks.at[key, category], **where))
            out.append(metric_row(M.TOP_RATE, KIND, category, CURRENT,
                                  1.0 if places_top.at[key, category] else 0.0,
                                  label=M.TOP_RATE_TIED if str(key) in ties.get(str(category), []) else None,
                                  **where))
        out.append(metric_row(M.TOP_RATE_CATEGORIES, KIND, ALL, CURRENT, counts[key], **where))
    return out


def _tables(unit: Unit) -> list[CountTable]:
    return [CountTable(table_name(unit.area_type, period), frame, row_total=TOTAL, col_total=ALL,
                       links=link_totals(frame, levels_table(KIND), period, total_column=ALL))
            for period, frame in unit.counts.items()]


def _partnership_rate_rows(unit: Unit, ids: list[int], pop_ids: list[int]) -> list[MetricRow]:
    """The partnership's own rate per 1,000 and population (all its LSOAs' residents)."""
    population = float(unit.areas["population"].sum(min_count=1) or 0.0)
    out = [metric_row(M.POPULATION, KIND, ALL, CURRENT, population or None, input_file_ids=pop_ids)]
    table = unit.counts[CURRENT]
    for category in table.columns:
        total = table.at[TOTAL, category]
        out.append(metric_row(M.RATE_PER_1000, KIND, str(category), CURRENT,
                              1000.0 * total / population if population > 0 else None,
                              label=None if population > 0 else NO_POPULATION,
                              bases=((levels_table(KIND), TOTAL if category == ALL else str(category),
                                      CURRENT),),
                              input_file_ids=ids + pop_ids))
    return out


def _new_homes_rows(inputs: StoreInputs, unit: Unit, params: AssessParams,
                    pop_ids: list[int]) -> list[MetricRow]:
    """Per area, the share of its 2021 residents in LSOAs created since 2011 (splits, irregular, new)."""
    pop = inputs.population
    if params.geography_vintage != 2021 or pop.empty or pop["lsoa_change"].isna().all():
        return []
    keys = _lsoa_area(inputs, params)
    persons = pop.set_index("lsoa_code")["persons"].astype(float)
    new = pop.set_index("lsoa_code")["lsoa_change"].isin(M.NEW_LSOA_CHANGES)
    frame = pd.DataFrame({"key": keys.reindex(persons.index), "persons": persons, "new": persons.where(new, 0.0)})
    sums = frame.dropna(subset=["key"]).groupby("key")[["persons", "new"]].sum()
    out = []
    for key, area in unit.areas.iterrows():
        if key not in sums.index or not sums.at[key, "persons"] > 0:
            continue
        out.append(metric_row(M.NEW_HOMES_SHARE, "population", ALL, CURRENT,
                              sums.at[key, "new"] / sums.at[key, "persons"], area_type=M.AREA,
                              area_code=area["area_code"], area_name=area["area_name"], input_file_ids=pop_ids))
    return out


def _lsoa_area(inputs: StoreInputs, params: AssessParams) -> pd.Series:
    pop = inputs.population
    if params.area_kind == "lookup" and inputs.lookup is not None:
        keys = pop["lsoa_code"].map(inputs.lookup.set_index("lsoa_code")["area_code"])
    elif _by_code(params):
        keys = pop["lsoa_code"].map(_lsoa_to_area(pop, params))
    else:
        keys = pop["msoa_name"]
    return pd.Series(keys.to_numpy(), index=pop["lsoa_code"].to_numpy(), dtype=object).dropna()


def compute_places(events: pd.DataFrame, inputs: StoreInputs, coverage: dict[str, SourceCoverage],
                   categories: list[str], params: AssessParams) -> Places | None:
    """Area and LSOA results for police-recorded incidents; None when there are none this period."""
    cov = coverage.get(KIND)
    if cov is None or not cov.present:
        return None
    rows = place_events(events, inputs, params)
    periods = [CURRENT, PREVIOUS] if cov.comparable else [CURRENT]
    area = _unit(rows, "area_key", M.AREA, _area_population(inputs, params),
                 _area_names(rows, "area_key", inputs, params), categories, periods, params)
    lsoa = _unit(rows, "lsoa_key", M.LSOA, _lsoa_population(inputs),
                 _area_names(rows, "lsoa_key", inputs, params), categories, periods, params)
    top, ranks = _top(area, params.top_rate_share)
    top_categories = top[[c for c in top.columns if c != ALL]].sum(axis=1).astype(int)
    ids = cov.files_for(params.months)
    pop_ids = [int(i) for i in inputs.files.loc[inputs.files["source_kind"] == "population", "id"]]
    metrics = (_unit_rows(area, params, ids, pop_ids) + _unit_rows(lsoa, params, ids, pop_ids)
               + _coverage_rows(area, ids, pop_ids) + _coverage_rows(lsoa, ids, pop_ids)
               + _top_rows(top, ranks, top_categories, area, ids, params.top_rate_share)
               + _partnership_rate_rows(area, ids, pop_ids)
               + _new_homes_rows(inputs, area, params, pop_ids))
    return Places(area, lsoa, top, ranks, top_categories, _lsoa_area(inputs, params), tuple(metrics),
                  tuple(_tables(area) + _tables(lsoa)))


@dataclass(frozen=True)
class PartnerAreas:
    """Counts per area as a partner names them (e.g. ambulance call-outs by ward), current period."""

    frames: dict[str, pd.DataFrame]  # source -> areas (+ Not stated, Total) x ["current"]
    metrics: tuple[MetricRow, ...]
    tables: tuple[CountTable, ...]


NOT_STATED = "Not stated"


def compute_partner_areas(events: pd.DataFrame, coverage: dict[str, SourceCoverage],
                          params: AssessParams) -> PartnerAreas:
    """Shares by the partner's own areas, for sources whose rows name an area."""
    frames, metrics, tables = {}, [], []
    partner = events[(events["source_kind"] != KIND) & (events["period"] == CURRENT)]
    for kind, rows in partner.groupby("source_kind"):
        if rows["partner_area"].dropna().nunique() < 2:
            continue  # one named area (e.g. the district itself) says nothing about places
        counts = rows.groupby(rows["partner_area"].fillna(NOT_STATED))["count"].sum().astype(float)
        frame = counts.sort_values(ascending=False).to_frame("current")
        if NOT_STATED not in frame.index:
            frame.loc[NOT_STATED] = 0.0
        frame.loc[TOTAL] = frame["current"].sum()
        name = f"partner_areas:{kind}"
        links = (((TOTAL, "current"), (levels_table(str(kind)), TOTAL, CURRENT)),)
        tables.append(CountTable(name, frame, row_total=TOTAL, col_total=None, links=links))
        frames[str(kind)] = frame
        ids = coverage[str(kind)].files_for(params.months)
        total = float(frame.at[TOTAL, "current"])
        for area, count in frame["current"].drop(index=[TOTAL]).items():
            cell = (name, str(area), "current")
            where = {"area_type": M.PARTNER_AREA, "area_name": str(area), "input_file_ids": ids}
            metrics.append(metric_row(M.COUNT, str(kind), ALL, CURRENT, count, cell=cell, **where))
            metrics.append(metric_row(M.SHARE_PCT, str(kind), ALL, CURRENT,
                                      100.0 * count / total if total > 0 else None,
                                      bases=(cell, (name, TOTAL, "current")), **where))
    return PartnerAreas(frames, tuple(metrics), tuple(tables))
