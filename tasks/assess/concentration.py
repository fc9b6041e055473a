"""Concentration: how much of the volume falls in the busiest LSOAs, and whether hotspots moved.

The LSOAs considered are those that appear in the partnership's police data anywhere in the window
(the 2021 codes the crime rows carry). The top ``thresholds.hotspot_share`` of them (10% by default,
rounded up) by count are the period's hotspots; ties at the boundary are broken by LSOA code so the
result is reproducible. Against a comparable previous period each hotspot is *new*, *persistent*
or *diminishing* (a hotspot last year that no longer is); without one it is just *current*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from csp import metrics as M
from tasks.assess.coverage import CURRENT, PREVIOUS, SourceCoverage
from tasks.assess.levels import table_name as levels_table
from tasks.assess.params import AssessParams
from tasks.assess.places import table_name as places_table
from tasks.assess.rows import ALL, TOTAL, MetricRow, metric_row

KIND = "police_uk"
NEW, PERSISTENT, DIMINISHING, CURRENT_ONLY = "new", "persistent", "diminishing", "current"


@dataclass(frozen=True)
class Concentration:
    shares: pd.DataFrame  # period, category, lsoas, hotspots, hotspot_count, total, share_pct
    hotspots: pd.DataFrame  # lsoa_code, lsoa_name, current, previous, status
    metrics: tuple[MetricRow, ...]


def _top(counts: pd.Series, k: int) -> pd.Series:
    frame = counts.rename("n").reset_index().rename(columns={counts.index.name or "index": "code"})
    frame = frame.sort_values(["n", "code"], ascending=[False, True], kind="mergesort")
    return frame.head(k).set_index("code")["n"]


def _period_table(rows: pd.DataFrame, period: str, universe: list[str], categories: list[str]) -> pd.DataFrame:
    """LSOA x category counts for one period (every LSOA of the universe, zeros included)."""
    chosen = rows[rows["period"] == period]
    table = (chosen.pivot_table(index="lsoa_code", columns="category", values="count", aggfunc="sum")
             .reindex(index=universe, columns=categories).fillna(0.0).astype(float))
    table[ALL] = table.sum(axis=1)
    table.index.name = "code"
    return table


def compute_concentration(events: pd.DataFrame, coverage: dict[str, SourceCoverage],
                          categories: list[str], params: AssessParams) -> Concentration | None:
    """Hotspot shares per category and period, and hotspot status for all incidents."""
    cov = coverage.get(KIND)
    if cov is None or not cov.present:
        return None
    rows = events[(events["source_kind"] == KIND) & events["lsoa_code"].notna()]
    universe = sorted(rows["lsoa_code"].unique())
    k = math.ceil(params.hotspot_share * len(universe)) if universe else 0
    periods = [CURRENT, PREVIOUS] if cov.comparable else [CURRENT]
    shares, metrics, tops = [], [], {}
    for period in periods:
        months = params.months if period == CURRENT else params.previous_months
        table = _period_table(rows, period, universe, categories)
        for category in [ALL, *categories]:
            counts = table[category]
            top = _top(counts, k)
            total = float(counts.sum())
            share = 100.0 * float(top.sum()) / total if total > 0 else None
            if category == ALL:
                tops[period] = (top, counts)
            shares.append({"period": period, "category": category, "lsoas": len(universe),
                           "hotspots": k, "hotspot_count": float(top.sum()), "total": total,
                           "share_pct": share})
            row = TOTAL if category == ALL else category
            metrics.append(metric_row(M.HOTSPOT_SHARE_PCT, KIND, category, period, share,
                                      area_type=M.LSOA, bases=((levels_table(KIND), row, period),),
                                      input_file_ids=cov.files_for(months)))
    hotspots = _status(tops, rows)
    for spot in hotspots.itertuples():
        metrics.append(metric_row(M.HOTSPOT, KIND, ALL, CURRENT, spot.current, label=spot.status,
                                  area_type=M.LSOA, area_code=spot.lsoa_code, area_name=spot.lsoa_name,
                                  cell=(places_table(M.LSOA, CURRENT), spot.lsoa_code, ALL),
                                  input_file_ids=cov.files_for(params.previous_months + params.months)))
    return Concentration(pd.DataFrame(shares), hotspots, tuple(metrics))


def _status(tops: dict[str, tuple[pd.Series, pd.Series]], rows: pd.DataFrame) -> pd.DataFrame:
    current_top, current_counts = tops[CURRENT]
    names = rows.groupby("lsoa_code")["lsoa_name"].first()
    if PREVIOUS in tops:
        previous_top, previous_counts = tops[PREVIOUS]
        codes = sorted(set(current_top.index) | set(previous_top.index))
        status = {c: PERSISTENT if c in current_top.index and c in previous_top.index
                  else NEW if c in current_top.index else DIMINISHING for c in codes}
    else:
        previous_counts = None
        codes = list(current_top.index)
        status = dict.fromkeys(codes, CURRENT_ONLY)
    return pd.DataFrame({
        "lsoa_code": codes,
        "lsoa_name": [names.get(c) for c in codes],
        "current": [float(current_counts.get(c, 0.0)) for c in codes],
        "previous": [float(previous_counts.get(c, 0.0)) if previous_counts is not None else None
                     for c in codes],
        "status": [status[c] for c in codes],
    })
