"""Levels and mix: how many of each category in the assessment period, and its share of the total.

Counts are per police.uk category and per partner source's own categories (fires by cause, hate
crime by strand...). Every expected category is listed, so one that is absent from a year shows as 0
rather than disappearing. The previous period's counts are kept only where the store holds all 12 of
its months; otherwise a comparison would mix a full year with a part year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from csp import metrics as M
from tasks.assess.coverage import CURRENT, PREVIOUS, SourceCoverage
from tasks.assess.naming import expected_categories
from tasks.assess.params import AssessParams
from tasks.assess.rows import ALL, TOTAL, CountTable, MetricRow, metric_row


@dataclass(frozen=True)
class Levels:
    """Per source and category: current count, previous count (NaN where not comparable)."""

    table: pd.DataFrame  # source_kind, category, current, previous
    metrics: tuple[MetricRow, ...]
    tables: tuple[CountTable, ...]


def table_name(kind: str) -> str:
    return f"levels:{kind}"


def _counts(events: pd.DataFrame, kind: str, period: str) -> pd.Series:
    rows = events[(events["source_kind"] == kind) & (events["period"] == period)]
    return rows.groupby("category")["count"].sum()


def source_levels(events: pd.DataFrame, cov: SourceCoverage) -> pd.DataFrame:
    """Current and previous counts per category of one source, with a Total row."""
    current = _counts(events, cov.kind, CURRENT)
    previous = _counts(events, cov.kind, PREVIOUS)
    categories = list(expected_categories(cov.kind))
    categories += sorted((set(current.index) | set(previous.index)) - set(categories))
    frame = pd.DataFrame(index=pd.Index(categories, name="category"))
    frame["current"] = current.reindex(categories).fillna(0).astype(float)
    frame["previous"] = (previous.reindex(categories).fillna(0).astype(float)
                         if cov.previous_complete else np.nan)
    frame.loc[TOTAL] = frame.sum(axis=0, min_count=1)
    return frame


def _share(count: float, total: float) -> float | None:
    return 100.0 * count / total if total > 0 else None


def _period_rows(frame: pd.DataFrame, cov: SourceCoverage, period: str, months: list[str],
                 label: str | None) -> list[MetricRow]:
    table, column = table_name(cov.kind), period
    ids = cov.files_for(months)
    total = float(frame.at[TOTAL, column])
    out = []
    for category, count in frame[column].items():
        name = ALL if category == TOTAL else str(category)
        cell = (table, str(category), column)
        out.append(metric_row(M.COUNT, cov.kind, name, period, count, label=label, cell=cell,
                              input_file_ids=ids))
        if category != TOTAL:
            out.append(metric_row(M.SHARE_PCT, cov.kind, name, period, _share(count, total),
                                  input_file_ids=ids, bases=(cell, (table, TOTAL, column))))
    return out


def _coverage_rows(cov: SourceCoverage, params: AssessParams) -> list[MetricRow]:
    rows = []
    for period, held, months in ((CURRENT, cov.current, params.months),
                                 (PREVIOUS, cov.previous, params.previous_months)):
        label = "complete" if len(held) == len(months) else "incomplete"
        rows.append(metric_row(M.MONTHS_COVERED, cov.kind, ALL, period, len(held), label=label,
                               input_file_ids=cov.files_for(months)))
    if cov.kind == "police_uk":  # the required monthly source: what every paper's cover states
        label = "complete" if len(cov.current) == len(params.months) else "incomplete"
        ids = cov.files_for(params.months)
        rows += [metric_row(M.PERIOD_MONTHS_PRESENT, cov.kind, ALL, CURRENT, len(cov.current), label=label,
                            input_file_ids=ids),
                 metric_row(M.PERIOD_MONTHS_EXPECTED, cov.kind, ALL, CURRENT, len(params.months),
                            input_file_ids=ids)]
    return rows


def compute_levels(events: pd.DataFrame, coverage: dict[str, SourceCoverage],
                   params: AssessParams) -> Levels:
    """Levels and mix of every source with data in the assessment period."""
    long, metrics, tables = [], [], []
    for kind, cov in coverage.items():
        metrics += _coverage_rows(cov, params)
        if not cov.present:
            continue
        frame = source_levels(events, cov)
        label = None if cov.current_complete else "incomplete"
        metrics += _period_rows(frame, cov, CURRENT, params.months, label)
        columns = ["current"]
        if cov.previous_complete:
            metrics += _period_rows(frame, cov, PREVIOUS, params.previous_months, None)
            columns.append("previous")
        tables.append(CountTable(table_name(kind), frame[columns]))
        long.append(frame.drop(index=TOTAL).reset_index().assign(source_kind=kind))
    table = (pd.concat(long, ignore_index=True) if long
             else pd.DataFrame(columns=["category", "current", "previous", "source_kind"]))
    return Levels(table=table[["source_kind", "category", "current", "previous"]],
                  metrics=tuple(metrics), tables=tuple(tables))
