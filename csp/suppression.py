"""Small-number suppression: the one rule every public output goes through.

Why: a count of 1-4 people in a place or category can identify someone, and a rate or percentage
computed from it gives the count back. So, before anything is published:

* **Primary suppression.** A count from 1 to ``minimum - 1`` (the partnership's
  ``thresholds.suppression_min``, 5 by default) is shown as ``"<5"``.
* **Derived figures are withheld.** A rate, percentage, change or mean computed from a suppressed
  count is shown as ``"[c]"`` ("confidential", the ONS convention).
* **Secondary suppression.** Where a table shows a total, one hidden cell in a row or column could be
  recovered by subtraction. For every row and column with a published total we work out the range each
  hidden cell could take (a primary cell lies in 1..minimum-1, a secondary one is at least minimum);
  if any hidden value's range collapses to one value, the next smallest published non-zero cell of that
  line is hidden too (shown ``"[c]"``), and if there is none, the total itself. This covers the usual
  rule (exactly one suppressed cell in a line) and the rarer cases that also give values away (two
  suppressed cells adding up to 2; a hidden total whose cells are all published). Only single rows and
  columns are reasoned about, not combinations of several lines at once.
* **Zero is shown as 0.** A true zero identifies nobody, and hiding it would hide real absence ("no
  robbery recorded") that the assessment must state. Zero cells are therefore never used as secondary
  cells either: a hidden zero next to a hidden small count would let a reader bound the small count.

The functions take plain numbers or a DataFrame, so papers, charts and findings share them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csp import metrics as M

DEFAULT_MINIMUM = 5
CONFIDENTIAL = "[c]"  # secondary suppression and withheld derived figures
NOT_AVAILABLE = "n/a"  # no value could be computed (no data, no population)

PRIMARY = "primary"
SECONDARY = "secondary"

Cell = tuple[object, object]


def as_number(value: object) -> float | None:
    """A finite number, or None for anything that is not one (None, NaN, inf, text, booleans)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def small_label(minimum: int = DEFAULT_MINIMUM) -> str:
    """How a suppressed count is printed, e.g. '<5'."""
    return f"<{minimum}"


def is_small(value: object, minimum: int = DEFAULT_MINIMUM) -> bool:
    """True for a count from 1 to minimum-1: the counts that must never be published."""
    number = as_number(value)
    return number is not None and 1 <= round(number) < minimum


def suppress_value(value: object, minimum: int = DEFAULT_MINIMUM) -> str:
    """One count as it may be published: '<5' for 1-4, '0' for zero, '1,234' otherwise."""
    number = as_number(value)
    if number is None:
        return NOT_AVAILABLE
    if is_small(number, minimum):
        return small_label(minimum)
    return f"{int(round(number)):,}"


def withhold(
    value: object,
    base_counts: Iterable[object],
    minimum: int = DEFAULT_MINIMUM,
    fmt: Callable[[float], str] = lambda v: f"{v:,.1f}",
    base_suppressed: bool = False,
) -> str:
    """A figure derived from counts (rate, percentage, change): '[c]' when any base is suppressed."""
    if base_suppressed or any(is_small(count, minimum) for count in base_counts):
        return CONFIDENTIAL
    number = as_number(value)
    return NOT_AVAILABLE if number is None else fmt(number)


@dataclass(frozen=True)
class SuppressedTable:
    """A table after suppression: the original counts, each cell's status, and what may be shown."""

    counts: pd.DataFrame
    status: pd.DataFrame  # "", "primary" or "secondary"
    minimum: int

    @property
    def hidden(self) -> pd.DataFrame:
        """True where the cell must not be published (primary or secondary)."""
        return self.status != ""

    @property
    def public(self) -> pd.DataFrame:
        """The table as it may be published: counts as text, '<5' and '[c]' where hidden."""
        out = self.counts.map(lambda v: suppress_value(v, self.minimum))
        out = out.mask(self.status == SECONDARY, CONFIDENTIAL)
        return out.mask(self.status == PRIMARY, small_label(self.minimum))

    def is_hidden(self, row: object, column: object) -> bool:
        return bool(self.hidden.at[row, column])


_NONE, _PRIMARY, _SECONDARY = 0, 1, 2
_NAMES = {_NONE: "", _PRIMARY: PRIMARY, _SECONDARY: SECONDARY}
Position = tuple[int, int]


def _lines(table: pd.DataFrame, row_total: object, col_total: object) -> list[tuple[list[Position], Position]]:
    """Every row and column that has a total, as (cell positions, total position)."""
    index, columns = list(table.index), list(table.columns)
    lines: list[tuple[list[Position], Position]] = []
    if col_total in columns:
        j_total = columns.index(col_total)
        cols = [j for j, c in enumerate(columns) if c != col_total]
        lines += [([(i, j) for j in cols], (i, j_total)) for i in range(len(index))]
    if row_total in index:
        i_total = index.index(row_total)
        rows = [i for i, r in enumerate(index) if r != row_total]
        lines += [([(i, j) for i in rows], (i_total, j)) for j in range(len(columns))]
    return lines


def _range(kind: int, value: float, minimum: int) -> tuple[float, float]:
    """What a reader knows: a published value exactly; '<5' means 1..minimum-1; '[c]' at least minimum."""
    if kind == _PRIMARY:
        return 1.0, minimum - 1.0
    if kind == _SECONDARY:
        return float(minimum), math.inf
    return value, value


def _exposed(kinds: list[int], values: list[float], total: tuple[int, float], minimum: int) -> bool:
    """Could a hidden value in the line ``sum(cells) = total`` be worked out? (interval reasoning)

    A hidden item is exposed when the line pins its feasible range to a single value. Secondary
    cells count too: a recovered secondary cell would give away the primary it protects, and a
    hidden total recovered from published cells would give away the count it repeats.
    """
    ranges = [_range(k, v, minimum) for k, v in zip(kinds, values, strict=True)]
    total_low, total_high = _range(total[0], total[1], minimum)
    low_sum = sum(r[0] for r in ranges)
    finite_high = sum(r[1] for r in ranges if r[1] != math.inf)
    n_infinite = sum(1 for r in ranges if r[1] == math.inf)
    for kind, (low, high) in zip(kinds, ranges, strict=True):
        if kind:
            others_low = low_sum - low
            others_inf = n_infinite - (1 if high == math.inf else 0)
            others_high = math.inf if others_inf else finite_high - (0 if high == math.inf else high)
            if max(low, total_low - others_high) >= min(high, total_high - others_low):
                return True
    if total[0]:
        high_sum = math.inf if n_infinite else finite_high
        return max(total_low, low_sum) >= min(total_high, high_sum)
    return False


def _protect_line(values: np.ndarray, status: np.ndarray, cells: list[Position], total: Position,
                  minimum: int) -> bool:
    """Hide one more cell of the line if a hidden value could be recovered; True if it did."""
    kinds = [int(status[c]) for c in cells]
    if not (status[total] or any(kinds)):
        return False
    if not _exposed(kinds, [float(values[c]) for c in cells], (int(status[total]), float(values[total])),
                    minimum):
        return False
    candidates = [c for c, k in zip(cells, kinds, strict=True) if not k and values[c] > 0]
    if candidates:
        chosen = min(candidates, key=lambda c: values[c])
    elif not status[total]:
        chosen = total
    else:
        return False  # everything that could be hidden is: nothing more to do on this line
    status[chosen] = _SECONDARY
    return True


def suppress_table(
    table: pd.DataFrame,
    minimum: int = DEFAULT_MINIMUM,
    row_total: object = "Total",
    col_total: object = "Total",
    presuppressed: Iterable[Cell] = (),
) -> SuppressedTable:
    """Primary and secondary suppression of a table of counts.

    ``table`` holds counts (NaN for "no data"); a row labelled ``row_total`` holds the column totals and
    a column labelled ``col_total`` the row totals (either may be absent). ``presuppressed`` cells are
    hidden from the start: use it when the same count is already hidden in another published table.
    Returns a :class:`SuppressedTable`; ``.public`` is what may be printed.
    """
    raw = table.to_numpy(dtype=float, na_value=np.nan)
    values = np.nan_to_num(raw, nan=0.0)
    rounded = np.round(values)
    status = np.where((rounded >= 1) & (rounded < minimum), _PRIMARY, _NONE)
    index, columns = list(table.index), list(table.columns)
    for row, col in presuppressed:
        if row in index and col in columns:
            i, j = index.index(row), columns.index(col)
            status[i, j] = status[i, j] or _SECONDARY
    lines = _lines(table, row_total, col_total)
    changed = True
    while changed:
        changed = False
        for cells, total in lines:
            changed |= _protect_line(values, status, cells, total, minimum)
    names = pd.DataFrame(np.vectorize(_NAMES.get, otypes=[object])(status), index=table.index,
                         columns=table.columns)
    return SuppressedTable(counts=table, status=names, minimum=minimum)


# --- Rendering stored metric rows -------------------------------------------------------------

_COUNT_METRICS = {M.COUNT, M.MONTHLY_COUNT, M.QUARTERLY_COUNT, M.NOT_PLACED_COUNT, M.CHANGE_COUNT,
                  M.HOTSPOT, M.POPULATION}
_PCT_METRICS = {M.SHARE_PCT, M.CHANGE_PCT, M.CHANGE, M.POPULATION_COVERAGE_PCT, M.HOTSPOT_SHARE_PCT,
                M.LSOA_MATCH_RATE_PCT, M.MSOA_MATCH_RATE_PCT}


def format_metric(metric: str, value: float | None) -> str:
    """A metric value in the assessment's house style (no suppression applied)."""
    if value is None:
        return NOT_AVAILABLE
    if metric == M.CHANGE_COUNT:
        return f"{int(round(value)):+,}"
    if metric in _COUNT_METRICS:
        return f"{int(round(value)):,}"
    if metric in {M.CHANGE_PCT, M.CHANGE}:
        return f"{value:+.0f}%"
    if metric in _PCT_METRICS:
        return f"{value:.1f}%"
    if metric in {M.CHANGE_P_VALUE, M.TREND_P_VALUE}:
        return "<0.001" if value < 0.001 else f"{value:.3f}"
    return f"{value:,.1f}"


def display_metric(metric: str, value: float | None, suppressed: bool | None,
                   minimum: int = DEFAULT_MINIMUM) -> str:
    """A stored metric row as a public paper may print it.

    ``suppressed`` is the row's ``suppressed`` flag: a flagged count of 1-4 prints '<5', any other
    flagged value '[c]'. Unflagged counts of 1-4 are still printed '<5' (a safety net for rows
    written before the flag existed).
    """
    counts_like = metric in _COUNT_METRICS and metric not in {M.CHANGE_COUNT, M.POPULATION}
    if counts_like and is_small(value, minimum):
        return small_label(minimum)
    if suppressed:
        return CONFIDENTIAL
    return format_metric(metric, value)
