"""Which months each source covers, and which period each stored count belongs to.

A month is *covered* when a current input file of the source says it holds that month (its
``months``) or a stored row falls in it; a covered month with no rows is a real zero, an uncovered
month is missing data. The difference matters: change against last year is only tested when both
12-month periods are fully covered, and missing months are stated, never read as zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from tasks.assess.load import StoreInputs
from tasks.assess.params import AssessParams

REFERENCE_KINDS = ("population", "boundaries")
CURRENT = "current"
PREVIOUS = "previous"


@dataclass(frozen=True)
class SourceCoverage:
    """The months one source has in the cycle's window."""

    kind: str
    covered: tuple[str, ...]  # months with data, within the window
    current: tuple[str, ...]
    previous: tuple[str, ...]
    missing_current: tuple[str, ...]
    empty_current: tuple[str, ...]  # covered months of the period with no rows at all
    period_months: int  # 1 for monthly tables, 3 for quarterly ones
    straddling: int  # counts in multi-month rows that cross the period's first or last month
    file_months: tuple[tuple[int, tuple[str, ...]], ...]  # current files and the months they hold
    illustrative: bool
    expected: int = 12  # months in each period (assessment.period_months)

    def files_for(self, months: list[str] | tuple[str, ...]) -> list[int]:
        """Current files holding any of these months: the provenance of a figure over them."""
        wanted = set(months)
        return [fid for fid, held in self.file_months if wanted & set(held)]

    @property
    def current_complete(self) -> bool:
        return len(self.current) == self.expected

    @property
    def previous_complete(self) -> bool:
        return len(self.previous) == self.expected

    @property
    def comparable(self) -> bool:
        """Both periods fully covered: only then is a year-on-year change tested."""
        return self.current_complete and self.previous_complete

    @property
    def present(self) -> bool:
        """Has any data for the assessment period."""
        return len(self.current) > 0


def _span(month: str, length: int) -> tuple[str, ...]:
    """The months a row starting in ``month`` covers (a few distinct values, asked for row by row)."""
    return _span_cached(month, max(int(length), 1))


@lru_cache(maxsize=4096)
def _span_cached(month: str, length: int) -> tuple[str, ...]:
    first = pd.Period(month, freq="M")
    return tuple(str(first + i) for i in range(length))


def assign_periods(events: pd.DataFrame, params: AssessParams) -> pd.DataFrame:
    """Add ``period``: 'current' or 'previous' when all the months a row covers lie in that period.

    A quarterly row that crosses the start or end of a period belongs to neither and is reported as
    straddling (it cannot be split without inventing numbers).
    """
    current, previous = set(params.months), set(params.previous_months)
    spans = [_span(m, n) for m, n in zip(events["month"], events["period_months"], strict=True)]
    period = [CURRENT if set(s) <= current else PREVIOUS if set(s) <= previous else None for s in spans]
    return events.assign(period=pd.Series(period, index=events.index, dtype=object))


def _covered(kind: str, events: pd.DataFrame, files: pd.DataFrame, window: set[str]) -> set[str]:
    rows = events[events["source_kind"] == kind]
    length = int(rows["period_months"].max()) if len(rows) else 1
    months: set[str] = set()
    for listed in files.loc[files["source_kind"] == kind, "months"]:
        for month in listed or []:
            months.update(_span(month, length))
    for month, n in zip(rows["month"], rows["period_months"], strict=True):
        months.update(_span(month, n))
    return months & window


def _straddling(rows: pd.DataFrame, periods: set[str]) -> int:
    """Counts in rows that overlap a period without lying wholly inside one."""
    loose = rows[rows["period"].isna()]
    overlap = [bool(set(_span(m, n)) & periods)
               for m, n in zip(loose["month"], loose["period_months"], strict=True)]
    return int(loose.loc[overlap, "count"].sum()) if len(loose) else 0


def _file_months(files: pd.DataFrame, rows: pd.DataFrame) -> tuple[tuple[int, tuple[str, ...]], ...]:
    out = []
    for fid, listed in zip(files["id"], files["months"], strict=True):
        own = rows[rows["input_file_id"] == fid]
        months = {m for m, n in zip(own["month"], own["period_months"], strict=True) for m in _span(m, n)}
        length = int(own["period_months"].max()) if len(own) else 1
        months |= {m for month in (listed or []) for m in _span(month, length)}
        out.append((int(fid), tuple(sorted(months))))
    return tuple(out)


def source_coverage(inputs: StoreInputs, params: AssessParams) -> dict[str, SourceCoverage]:
    """Coverage of every source that has current files or rows, plus configured sources with none."""
    events = assign_periods(inputs.events, params)
    files = inputs.files
    kinds = set(files["source_kind"]) | set(events["source_kind"]) | set(params.configured_sources)
    window, current, previous = set(params.window), params.months, params.previous_months
    out: dict[str, SourceCoverage] = {}
    for kind in sorted(kinds - set(REFERENCE_KINDS)):
        covered = _covered(kind, events, files, window)
        rows = events[events["source_kind"] == kind]
        with_rows = {m for m, n in zip(rows["month"], rows["period_months"], strict=True)
                     for m in _span(m, n)}
        kind_files = files[files["source_kind"] == kind]
        out[kind] = SourceCoverage(
            kind=kind,
            covered=tuple(sorted(covered)),
            current=tuple(m for m in current if m in covered),
            previous=tuple(m for m in previous if m in covered),
            missing_current=tuple(m for m in current if m not in covered),
            empty_current=tuple(m for m in current if m in covered and m not in with_rows),
            period_months=int(rows["period_months"].max()) if len(rows) else 1,
            straddling=_straddling(rows, set(current) | set(previous)),
            file_months=_file_months(kind_files, rows),
            illustrative=bool(kind_files["illustrative"].any()) or params.is_illustrative(kind),
            expected=len(current),
        )
    return out
