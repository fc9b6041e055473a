"""Monthly (or quarterly) series per category, a 3-month rolling mean, and month-of-year means.

A series runs from the source's first month with data in the window to the end of the assessment
period. A month inside that span with no data is kept as missing (stored with the label "no data
received"), never as zero; a covered month with no rows is a real zero.

Which monthly values are published: the monthly total of the source always (suppressed where small),
and a category's monthly values only where none of them is 1-4 and the remaining categories together
("Other categories") have none either. Publishing the months of a category that is mostly small would
force so much secondary suppression that the category's annual count itself would have to be hidden;
its monthly values are kept for analysts and flagged as not public instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from csp import metrics as M
from tasks.assess.coverage import CURRENT, PREVIOUS, SourceCoverage
from tasks.assess.levels import table_name as levels_table
from tasks.assess.params import AssessParams
from tasks.assess.rows import ALL, OTHER, TOTAL, CountTable, MetricRow, link_totals, metric_row


@dataclass(frozen=True)
class SourceSeries:
    """One source's series: rows are months (quarter starts for quarterly sources), NaN = no data."""

    kind: str
    frame: pd.DataFrame  # index month "YYYY-MM", columns categories + "All"
    period_months: int
    blocks: dict[str, list[str]]  # "current", "previous" (complete only) and "other" -> months
    published: dict[str, list[str]]  # block -> categories whose monthly values are published

    def block_of(self, month: str) -> str:
        return next(block for block, months in self.blocks.items() if month in months)

    def is_published(self, month: str, category: str) -> bool:
        return category == ALL or category in self.published.get(self.block_of(month), [])


@dataclass(frozen=True)
class Series:
    sources: dict[str, SourceSeries]
    metrics: tuple[MetricRow, ...]
    tables: tuple[CountTable, ...]


def table_name(kind: str, block: str) -> str:
    return f"monthly:{kind}:{block}"


def _points(cov: SourceCoverage, params: AssessParams) -> list[str]:
    """The months (or quarter starts) the series shows: first covered point to the period's end."""
    if not cov.covered:
        return []
    step = max(cov.period_months, 1)
    first, last = pd.Period(cov.covered[0], freq="M"), pd.Period(params.end, freq="M")
    points = []
    month = first
    while month <= last:
        points.append(str(month))
        month += step
    return points


def _has_small(values: pd.Series, minimum: int) -> bool:
    return bool(((values >= 1) & (values < minimum)).any())


def publishable(block: pd.DataFrame, categories: list[str], minimum: int) -> list[str]:
    """Categories whose monthly values can be published in this block (see the module docstring)."""
    clean = [c for c in categories if not _has_small(block[c], minimum)]
    zero = [c for c in clean if block[c].fillna(0).sum() == 0]
    chosen = sorted((c for c in clean if c not in zero), key=lambda c: -block[c].sum())
    while chosen:
        other = block[ALL] - block[chosen].sum(axis=1)
        if set(chosen) | set(zero) == set(categories) or not _has_small(other, minimum):
            break
        chosen.pop()  # the smallest goes into "Other categories"
    return [c for c in categories if c in chosen or c in zero]


def source_series(events: pd.DataFrame, cov: SourceCoverage, categories: list[str],
                  params: AssessParams) -> SourceSeries:
    """The wide series of one source, with blocks for the two periods."""
    rows = events[events["source_kind"] == cov.kind]
    points = _points(cov, params)
    wide = (rows.pivot_table(index="month", columns="category", values="count", aggfunc="sum")
            .reindex(index=points, columns=categories).fillna(0.0).astype(float))
    covered = set(cov.covered)
    missing = [p for p in points if p not in covered]
    wide.loc[missing, :] = np.nan
    wide[ALL] = wide[categories].sum(axis=1, min_count=1)
    wide.index.name = "month"
    blocks = {CURRENT: [p for p in points if p in params.months]}
    previous = [p for p in points if p in params.previous_months]
    if cov.previous_complete:
        blocks[PREVIOUS] = previous
    else:
        blocks["other"] = previous
    published = {block: publishable(wide.loc[months], categories, params.suppression_min)
                 for block, months in blocks.items()}
    return SourceSeries(cov.kind, wide, cov.period_months, blocks, published)


def _block_table(series: SourceSeries, block: str, months: list[str]) -> CountTable:
    """The published part of one block: published categories, the rest as one column, and the total."""
    full = series.frame.loc[months]
    shown = series.published[block]
    frame = full[shown].copy()
    categories = [c for c in full.columns if c != ALL]
    if len(shown) < len(categories):
        frame[OTHER] = full[ALL] - full[shown].sum(axis=1)
    frame[ALL] = full[ALL]
    name = table_name(series.kind, block)
    if block in (CURRENT, PREVIOUS):
        frame.loc[TOTAL] = frame.sum(axis=0)
        links = link_totals(frame, levels_table(series.kind), block, total_column=ALL)
        return CountTable(name, frame, row_total=TOTAL, col_total=ALL, links=links)
    return CountTable(name, frame, row_total=None, col_total=ALL)


def _month_rows(series: SourceSeries, cov: SourceCoverage) -> list[MetricRow]:
    metric = M.MONTHLY_COUNT if series.period_months == 1 else M.QUARTERLY_COUNT
    out = []
    for category in series.frame.columns:
        for month, value in series.frame[category].items():
            cell = (table_name(series.kind, series.block_of(month)), str(month), str(category))
            missing = pd.isna(value)
            out.append(metric_row(metric, series.kind, str(category), str(month), value,
                                  label=M.NO_DATA if missing else None,
                                  cell=None if missing else cell,
                                  public=series.is_published(str(month), str(category)),
                                  input_file_ids=cov.files_for([month])))
    return out


def _rolling_rows(series: SourceSeries, cov: SourceCoverage) -> list[MetricRow]:
    if series.period_months != 1:
        return []
    out = []
    months = list(series.frame.index)
    for category in series.frame.columns:
        rolled = series.frame[category].rolling(3, min_periods=3).mean()
        for i, (month, value) in enumerate(rolled.items()):
            window = months[max(i - 2, 0): i + 1]
            bases = tuple((table_name(series.kind, series.block_of(m)), m, str(category)) for m in window)
            out.append(metric_row(M.ROLLING_MEAN_3M, series.kind, str(category), str(month), value,
                                  bases=bases, input_file_ids=cov.files_for(window),
                                  public=all(series.is_published(m, str(category)) for m in window)))
    return out


def _seasonal_rows(series: SourceSeries, cov: SourceCoverage) -> list[MetricRow]:
    """Month-of-year means, only where the series holds two or more complete years."""
    if series.period_months != 1 or series.frame[ALL].notna().sum() < 24:
        return []
    out = []
    frame = series.frame.dropna(how="all")
    moy = pd.Series([m[5:7] for m in frame.index], index=frame.index)
    for category in frame.columns:
        for mm, months in moy.groupby(moy).groups.items():
            values = frame.loc[list(months), category]
            if values.notna().sum() < 2:
                continue
            bases = tuple((table_name(series.kind, series.block_of(m)), m, str(category)) for m in months)
            out.append(metric_row(M.MONTH_OF_YEAR_MEAN, series.kind, str(category), f"m{mm}",
                                  values.mean(), bases=bases, input_file_ids=cov.files_for(list(months)),
                                  public=all(series.is_published(m, str(category)) for m in months)))
    return out


def compute_series(events: pd.DataFrame, coverage: dict[str, SourceCoverage], levels_table_frame: pd.DataFrame,
                   params: AssessParams) -> Series:
    """Series, rolling means and seasonal means of every source with data."""
    sources, metrics, tables = {}, [], []
    for kind, cov in coverage.items():
        if not cov.covered:
            continue
        categories = list(levels_table_frame.loc[levels_table_frame["source_kind"] == kind, "category"])
        if not categories:
            continue
        series = source_series(events, cov, categories, params)
        sources[kind] = series
        metrics += _month_rows(series, cov) + _rolling_rows(series, cov) + _seasonal_rows(series, cov)
        tables += [_block_table(series, block, months) for block, months in series.blocks.items() if months]
    return Series(sources=sources, metrics=tuple(metrics), tables=tuple(tables))
