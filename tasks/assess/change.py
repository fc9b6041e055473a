"""Change that is tested, not just measured: every test of one assessment, adjusted together.

Per source and category (and the source's total), and per area of the configured unit (all
police-recorded incidents):

* **against last year** where both 12-month periods are fully in the store: the quasi-Poisson
  regression of ``tasks.assess.stats.year_on_year`` on the monthly counts, with the rate ratio and its
  95% interval;
* **within the period**: the quasi-Poisson trend of ``tasks.assess.stats.trend`` (with season where
  the series holds 24 months).

A comparison that spans a recording step (``tasks.assess.steps``) that no analyst has accepted is not
tested: its label is "recording change", and a source's or area's total is compared without the
stepped categories (counts, difference, percentage and test alike; the rate-ratio row says which were
left out). All p-values of the assessment are then adjusted together by
Benjamini-Hochberg; labels follow the adjusted q-value.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from csp import metrics as M
from tasks.assess import stats
from tasks.assess.coverage import CURRENT, PREVIOUS, SourceCoverage
from tasks.assess.levels import table_name as levels_table
from tasks.assess.load import StoreInputs
from tasks.assess.params import AssessParams
from tasks.assess.places import Places, place_events
from tasks.assess.places import table_name as places_table
from tasks.assess.rows import ALL, TOTAL, MetricRow, metric_row
from tasks.assess.series import Series, SourceSeries
from tasks.assess.stats import Change, Trend
from tasks.assess.steps import Steps, detect_steps

INCREASE, DECREASE, NO_CHANGE, NOT_COMPARABLE = M.CHANGE_LABELS
RISING, FALLING, STABLE, TOO_FEW = M.TREND_LABELS
RECORDING = M.RECORDING_CHANGE_LABEL
POLICE = "police_uk"


@dataclass(frozen=True)
class Changes:
    """Every test of the assessment after the Benjamini-Hochberg adjustment, and the metric rows."""

    changes: pd.DataFrame  # source_kind, category + Change fields
    trends: pd.DataFrame  # source_kind, category + Trend fields
    area_changes: pd.DataFrame  # index area key; area_code, area_name + Change fields
    area_trends: pd.DataFrame  # index area key; area_code, area_name + Trend fields
    steps: Steps
    family_size: int = 0  # tests adjusted together
    metrics: tuple[MetricRow, ...] = field(default=())


# --- the series each test uses -------------------------------------------------------------------


def _column(frame: pd.DataFrame, category: str, excluded: tuple[str, ...]) -> pd.Series:
    """One category's values, or the total without the excluded categories."""
    if category != ALL:
        return frame[category]
    kept = [c for c in frame.columns if c != ALL and c not in excluded]
    return frame[kept].sum(axis=1, min_count=1) if kept else frame[ALL] * 0


def _trend_months(src: SourceSeries) -> list[str]:
    """The months a trend is fitted on: 24+ months with season where held, else the period's."""
    current = src.blocks[CURRENT]
    if src.period_months == 1 and src.frame[ALL].notna().sum() >= stats.SEASONAL_MIN_MONTHS:
        return list(src.frame.index)
    return current


def _source_tests(kind: str, categories: list[str], levels: pd.DataFrame, src: SourceSeries | None,
                  cov: SourceCoverage, steps: Steps, params: AssessParams) -> tuple[list[dict], list[dict]]:
    alpha = params.significance
    changes, trends = [], []
    window = params.previous_months + params.months
    yoy_blocked = steps.blocked_categories(kind, window)
    totals = levels.set_index("category")["current"]
    for category in [*categories, ALL]:
        current = float(totals.sum() if category == ALL else totals[category])
        excluded = yoy_blocked if category == ALL else ()
        if not cov.comparable:
            change = stats.not_compared(current)
        elif category in yoy_blocked:
            change = stats.not_compared(current, RECORDING)
        elif src is None:
            previous = float(levels.set_index("category")["previous"].sum() if category == ALL
                             else levels.set_index("category").at[category, "previous"])
            change = stats.exact_change(current, previous, alpha)
        else:
            frame = src.frame
            change = stats.year_on_year(_column(frame.loc[src.blocks[CURRENT]], category, excluded),
                                        _column(frame.loc[src.blocks[PREVIOUS]], category, excluded), alpha)
            if excluded:
                change = replace(change, excluded=excluded)
        changes.append({"source_kind": kind, "category": category, **change.__dict__})
        if src is None:
            continue
        months = _trend_months(src)
        blocked = steps.blocked_categories(kind, months)
        if category in blocked:
            result = Trend(None, None, RECORDING, len(months))
        else:
            drop = blocked if category == ALL else ()
            values = _column(src.frame, category, drop)
            result = stats.trend(values.loc[src.blocks[CURRENT]], alpha, src.period_months,
                                 seasonal_from=values.loc[months] if len(months) > len(src.blocks[CURRENT])
                                 else None)
            if drop:
                result = replace(result, excluded=drop)
        trends.append({"source_kind": kind, "category": category, **result.__dict__})
    return changes, trends


# --- areas ---------------------------------------------------------------------------------------


def area_monthly(events: pd.DataFrame, inputs: StoreInputs, places: Places, params: AssessParams,
                 excluded: tuple[str, ...]) -> pd.DataFrame:
    """Areas x months of the window: police-recorded incidents, without the excluded categories."""
    rows = place_events(events, inputs, params)
    rows = rows[rows["area_key"].notna() & ~rows["category"].isin(excluded)]
    window = params.previous_months + params.months
    return (rows.groupby(["area_key", "month"])["count"].sum().unstack(fill_value=0)
            .reindex(index=places.area.areas.index, columns=window, fill_value=0).fillna(0).astype(float))


def _area_tests(events: pd.DataFrame, inputs: StoreInputs, places: Places, cov: SourceCoverage,
                steps: Steps, params: AssessParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    alpha = params.significance
    window = params.previous_months + params.months
    covered = set(cov.covered)
    seasonal = cov.comparable and all(m in covered for m in window)
    trend_months = window if seasonal else params.months
    yoy_excluded = steps.blocked_categories(POLICE, window)
    trend_excluded = steps.blocked_categories(POLICE, trend_months)
    yoy_frame = area_monthly(events, inputs, places, params, yoy_excluded)
    trend_frame = (yoy_frame if trend_excluded == yoy_excluded
                   else area_monthly(events, inputs, places, params, trend_excluded))
    current = [m for m in params.months if m in covered]
    changes, trends = {}, {}
    areas = places.area.areas
    for key in areas.index:
        where = {"area_code": areas.at[key, "area_code"], "area_name": areas.at[key, "area_name"]}
        if cov.comparable:
            row = yoy_frame.loc[key]
            change = stats.year_on_year(row[params.months], row[params.previous_months], alpha)
            if yoy_excluded:
                change = replace(change, excluded=yoy_excluded)
            changes[key] = {**where, **change.__dict__}
        series = trend_frame.loc[key]
        result = stats.trend(series[current], alpha, 1,
                             seasonal_from=series[trend_months] if seasonal else None)
        trends[key] = {**where, **result.__dict__, "excluded": trend_excluded}
    return (pd.DataFrame.from_dict(changes, orient="index"), pd.DataFrame.from_dict(trends, orient="index"))


# --- adjustment and rows -------------------------------------------------------------------------


def _adjust(frames: list[tuple[pd.DataFrame, str]], alpha: float) -> tuple[list[pd.DataFrame], int]:
    """Benjamini-Hochberg over every p-value of every frame; relabel each test by its q-value."""
    p_values = [p for frame, _ in frames if not frame.empty for p in frame["p_value"]]
    q_values = stats.bh_adjust([None if pd.isna(p) else float(p) for p in p_values], alpha)
    out, position = [], 0
    for frame, kind in frames:
        if frame.empty:
            out.append(frame)
            continue
        records = []
        for (_, row), q in zip(frame.iterrows(), q_values[position:position + len(frame)], strict=True):
            fields = {k: (None if not isinstance(v, tuple) and pd.isna(v) else v) for k, v in row.items()}
            if kind == "change":
                tested = {k: fields[k] for k in Change.__dataclass_fields__}
                new = stats.relabel_change(Change(**tested), q, alpha).__dict__
            else:
                tested = {k: fields[k] for k in Trend.__dataclass_fields__}
                new = stats.relabel_trend(Trend(**tested), q, alpha).__dict__
            records.append({**fields, **new})
        position += len(frame)
        out.append(pd.DataFrame(records, index=frame.index))
    return out, sum(1 for q in q_values if q is not None)


def _change_rows(kind: str, category: str, change: dict, ids: list[int], bases: tuple,
                 **where) -> list[MetricRow]:
    common = {"input_file_ids": ids, "bases": bases, **where}
    pct = change["change_pct"]
    return [
        metric_row(M.CHANGE_COUNT, kind, category, CURRENT, change["change_count"], **common),
        metric_row(M.CHANGE_PCT, kind, category, CURRENT, pct, **common),
        metric_row(M.CHANGE_P_VALUE, kind, category, CURRENT, change["p_value"], **common),
        metric_row(M.CHANGE_Q_VALUE, kind, category, CURRENT, change["q_value"], **common),
        metric_row(M.CHANGE, kind, category, CURRENT, pct, label=change["label"], **common),
        metric_row(M.CHANGE_RATIO, kind, category, CURRENT, change["ratio"], label=_excluded_label(change),
                   **common),
        metric_row(M.CHANGE_RATIO_LOW, kind, category, CURRENT, change["ratio_low"], **common),
        metric_row(M.CHANGE_RATIO_HIGH, kind, category, CURRENT, change["ratio_high"], **common),
        metric_row(M.CHANGE_METHOD, kind, category, CURRENT, change["dispersion"], label=change["method"],
                   input_file_ids=ids, **where),
    ]


def _excluded_label(test: dict) -> str | None:
    """Label of the rate-ratio row of a total tested without some categories (recording changes)."""
    excluded = test.get("excluded") or ()
    return ("excluding " + ", ".join(excluded)) if len(excluded) else None


def _trend_rows(kind: str, category: str, trend: dict, ids: list[int], bases: tuple,
                **where) -> list[MetricRow]:
    common = {"input_file_ids": ids, "bases": bases, **where}
    return [
        metric_row(M.TREND_RATIO, kind, category, CURRENT, trend["ratio"], label=trend["label"], **common),
        metric_row(M.TREND_P_VALUE, kind, category, CURRENT, trend["p_value"], **common),
        metric_row(M.TREND_Q_VALUE, kind, category, CURRENT, trend["q_value"], **common),
        metric_row(M.TREND_RATIO_LOW, kind, category, CURRENT, trend["ratio_low"], **common),
        metric_row(M.TREND_RATIO_HIGH, kind, category, CURRENT, trend["ratio_high"], **common),
        metric_row(M.TREND_METHOD, kind, category, CURRENT, trend["dispersion"], label=trend["method"],
                   input_file_ids=ids, **where),
    ]


def _rows(changes: pd.DataFrame, trends: pd.DataFrame, area_changes: pd.DataFrame,
          area_trends: pd.DataFrame, coverage: dict[str, SourceCoverage], params: AssessParams,
          family: int) -> list[MetricRow]:
    out: list[MetricRow] = []
    for record in changes.to_dict("records"):
        kind, category = record["source_kind"], record["category"]
        row, table = TOTAL if category == ALL else category, levels_table(kind)
        compared = record["label"] not in (NOT_COMPARABLE,) and record["previous"] is not None
        bases = ((table, row, CURRENT), (table, row, PREVIOUS)) if compared else ((table, row, CURRENT),)
        ids = coverage[kind].files_for(params.previous_months + params.months)
        out += _change_rows(kind, category, record, ids, bases)
    for record in trends.to_dict("records"):
        kind, category = record["source_kind"], record["category"]
        bases = ((levels_table(kind), TOTAL if category == ALL else category, CURRENT),)
        out += _trend_rows(kind, category, record, coverage[kind].files_for(params.months), bases)
    police = coverage.get(POLICE)
    for frame, kind in ((area_changes, "change"), (area_trends, "trend")):
        for key, record in frame.iterrows():
            where = {"area_type": M.AREA, "area_code": record["area_code"], "area_name": record["area_name"]}
            periods = (CURRENT, PREVIOUS) if kind == "change" else (CURRENT,)
            bases = tuple((places_table(M.AREA, p), str(key), ALL) for p in periods)
            ids = police.files_for(params.previous_months + params.months) if police else []
            maker = _change_rows if kind == "change" else _trend_rows
            out += maker(POLICE, ALL, record.to_dict(), ids, bases, **where)
    out.append(metric_row(M.TEST_FAMILY, "all", ALL, CURRENT, family, label=stats.BH))
    return out


def compute_changes(levels: pd.DataFrame, series: Series, coverage: dict[str, SourceCoverage],
                    params: AssessParams, events: pd.DataFrame | None = None,
                    inputs: StoreInputs | None = None, places: Places | None = None) -> Changes:
    """Every test of the assessment: per source and category, per area; adjusted together."""
    steps = detect_steps(series, coverage, params)
    changes, trends = [], []
    for kind, rows in levels.groupby("source_kind", sort=False):
        kind = str(kind)
        c, t = _source_tests(kind, list(rows["category"]), rows, series.sources.get(kind), coverage[kind],
                             steps, params)
        changes += c
        trends += t
    area_changes, area_trends = pd.DataFrame(), pd.DataFrame()
    if places is not None and events is not None and inputs is not None and POLICE in coverage:
        area_changes, area_trends = _area_tests(events, inputs, places, coverage[POLICE], steps, params)
    frames = [(pd.DataFrame(changes), "change"), (pd.DataFrame(trends), "trend"),
              (area_changes, "change"), (area_trends, "trend")]
    (changes_f, trends_f, area_changes, area_trends), family = _adjust(frames, params.significance)
    metrics = _rows(changes_f, trends_f, area_changes, area_trends, coverage, params, family)
    return Changes(changes_f, trends_f, area_changes, area_trends, steps, family,
                   tuple(metrics) + steps.metrics)
