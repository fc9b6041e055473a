"""Shapes that pass between the assessment steps: metric rows and the count tables behind them.

Every number becomes a :class:`MetricRow`. A row that *is* a published count names its table cell
(``cell``); a row derived from counts (a share, rate, change, mean) names the cells it came from
(``bases``). The publishing step suppresses each table once and flags every row whose cell or bases
are hidden, so a stored figure can always be traced to the counts that protect it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from csp import metrics as M

CellRef = tuple[str, str, str]  # (table name, row label, column label)
TOTAL = "Total"
ALL = "All"
NOT_PLACED = "Not placed"
OTHER = "Other categories"


def clean(value: Any) -> float | None:
    """A storable number: numpy scalars become float; NaN and infinities become None."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


@dataclass(frozen=True)
class MetricRow:
    """One number of the assessment, before it is stored."""

    metric: str
    source_kind: str
    category: str
    period: str
    value: float | None
    area_type: str = M.PARTNERSHIP
    area_code: str | None = None
    area_name: str | None = None
    label: str | None = None
    input_file_ids: tuple[int, ...] = ()
    cell: CellRef | None = None  # the published count this row is
    bases: tuple[CellRef, ...] = ()  # the counts this row is derived from
    public: bool = True  # False: never published by design (e.g. a monthly series kept internal)

    def as_record(self, suppressed: bool) -> dict[str, Any]:
        return {
            "metric": self.metric, "source_kind": self.source_kind, "category": self.category,
            "area_type": self.area_type, "area_code": self.area_code, "area_name": self.area_name,
            "period": self.period, "value": clean(self.value), "label": self.label,
            "suppressed": suppressed, "input_file_ids": sorted(set(self.input_file_ids)),
        }


def metric_row(metric: str, source_kind: str, category: str, period: str, value: Any,
               **kwargs: Any) -> MetricRow:
    """A MetricRow with its value cleaned (never NaN or inf)."""
    ids = tuple(int(i) for i in kwargs.pop("input_file_ids", ()) or ())
    bases = tuple(kwargs.pop("bases", ()) or ())
    return MetricRow(metric, source_kind, category, period, clean(value), input_file_ids=ids,
                     bases=bases, **kwargs)


@dataclass(frozen=True)
class CountTable:
    """A table of counts that is published (in a paper, finding or chart) and so is suppressed.

    ``frame`` holds the counts with an optional total row (``row_total``) and total column
    (``col_total``). ``links`` pair a cell of this table with the cell of another table that
    publishes the same number (an area table's total row repeats the category counts): a cell hidden
    in one is hidden in the other.
    """

    name: str
    frame: pd.DataFrame
    row_total: str | None = TOTAL
    col_total: str | None = None
    links: tuple[tuple[tuple[str, str], CellRef], ...] = ()


def link_totals(frame: pd.DataFrame, table: str, column: str, total_column: str | None = None
                ) -> tuple[tuple[tuple[str, str], CellRef], ...]:
    """Links from this frame's total row to the rows of a category table's ``column``.

    The total column (``total_column``, e.g. "All") links to that table's own total row.
    """
    links = []
    for col in frame.columns:
        if col == OTHER:
            continue  # a remainder column repeats no published count of its own
        row = TOTAL if col == total_column else str(col)
        links.append(((TOTAL, str(col)), (table, row, column)))
    return tuple(links)
