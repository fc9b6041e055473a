"""Cycle names and the periods they cover.

A cycle is named, like the seed documents, by the financial year in which its assessment is delivered:
cycle ``2025-26`` assesses the 12 months ending the configured month of 2025, goes to the board early in
2026 and sets priorities for 2026-27.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

_CYCLE = re.compile(r"(\d{4})-(\d{2})")  # used with fullmatch: no trailing newline or space


class CycleNameError(ValueError):
    """A cycle name that is not of the form ``2025-26``."""


@dataclass(frozen=True)
class CyclePeriod:
    """The months a cycle looks at, as pandas monthly periods."""

    name: str
    start: pd.Period  # first month of the assessment period
    end: pd.Period  # last month of the assessment period (inclusive)

    @property
    def months(self) -> list[pd.Period]:
        return list(pd.period_range(self.start, self.end, freq="M"))

    @property
    def length(self) -> int:
        """Months in the assessment period (assessment.period_months, 12 by default)."""
        return len(self.months)

    @property
    def previous_start(self) -> pd.Period:
        """The comparison period is the same months a year earlier."""
        return self.start - 12

    @property
    def previous_end(self) -> pd.Period:
        return self.end - 12

    @property
    def previous_months(self) -> list[pd.Period]:
        return list(pd.period_range(self.previous_start, self.previous_end, freq="M"))

    @property
    def window_start(self) -> pd.Period:
        """Earliest month the cycle accepts: the comparison year before the period."""
        return self.previous_start

    @property
    def label(self) -> str:
        """Human period label, e.g. 'October 2024 to September 2025'."""
        return f"{self.start.strftime('%B %Y')} to {self.end.strftime('%B %Y')}"

    @property
    def ending_label(self) -> str:
        """The seeds' phrase, e.g. '12 months to September 2025'."""
        return f"{self.length} months to {self.end.strftime('%B %Y')}"

    @property
    def priorities_year(self) -> str:
        """The financial year the cycle's priorities are for, e.g. '2026-27'."""
        first = int(self.name[:4]) + 1
        return f"{first}-{str(first + 1)[-2:]}"

    def previous_cycle(self) -> str:
        first = int(self.name[:4]) - 1
        return f"{first}-{str(first + 1)[-2:]}"


def parse_cycle(name: str, period_end_month: int = 9, period_months: int = 12) -> CyclePeriod:
    """Turn ``2025-26`` into its assessment period; raise CycleNameError with the expected form."""
    match = _CYCLE.fullmatch(name or "")
    if not match:
        raise CycleNameError(f"cycle {name!r}: expected a financial year like '2025-26'")
    first, second = int(match.group(1)), int(match.group(2))
    if (first + 1) % 100 != second:
        raise CycleNameError(
            f"cycle {name!r}: the second year must follow the first (expected "
            f"'{first}-{(first + 1) % 100:02d}')"
        )
    if not 1 <= period_end_month <= 12:
        raise CycleNameError(f"period_end_month {period_end_month}: expected 1-12")
    if not 1 <= period_months <= 12:
        raise CycleNameError(f"period_months {period_months}: expected 1-12")
    end = pd.Period(year=first, month=period_end_month, freq="M")
    return CyclePeriod(name=name, start=end - (period_months - 1), end=end)


def cycle_name(first_year: int) -> str:
    return f"{first_year}-{(first_year + 1) % 100:02d}"


def published_through(today: dt.date, lag_months: int = 1) -> pd.Period:
    """The newest month whose data is out by ``today``: ``lag_months`` after the month itself.

    police.uk publishes a month's data in the second month after it (``lag_months=2``: September's in
    November), so on 1 December 2026 October is the newest month to expect. A month in progress is
    never expected (the lag is at least one).
    """
    return pd.Period(today, freq="M") - max(lag_months, 1)


def cycle_of_month(month: pd.Period, period_end_month: int = 9) -> str:
    """The cycle whose assessment period holds ``month``."""
    year = month.year if month.month <= period_end_month else month.year + 1
    return cycle_name(year)


def latest_cycle(today: dt.date, period_end_month: int = 9, lag_months: int = 1,
                 latest_data: pd.Period | None = None) -> str:
    """The newest cycle whose assessment period has ended and whose months are published by ``today``.

    With ``latest_data`` (the newest month present in the partnership's files) the cycle must also be
    covered by the data on disk, so a run from the defaults never asks for months nobody has.
    """
    newest = published_through(today, lag_months)
    if latest_data is not None:
        newest = min(newest, latest_data)
    year = newest.year if newest.month >= period_end_month else newest.year - 1
    return cycle_name(year)


def cycle_in_progress(today: dt.date, period_end_month: int = 9) -> str:
    """The cycle whose assessment period holds last month: what quarterly monitoring refreshes."""
    return cycle_of_month(pd.Period(today, freq="M") - 1, period_end_month)


_MONTH_IN_NAME = re.compile(r"(?<!\d)(20\d{2})-(0[1-9]|1[0-2])(?!\d)")


def months_in_folder(folder: Path) -> list[pd.Period]:
    """Months named in a folder's file names (police.uk's ``2025-12-...-street.csv.gz``), sorted."""
    if not folder.is_dir():
        return []
    found = {pd.Period(year=int(m.group(1)), month=int(m.group(2)), freq="M")
             for path in folder.iterdir() for m in [_MONTH_IN_NAME.search(path.name)] if m}
    return sorted(found)


@dataclass(frozen=True)
class Quarter:
    """A quarter of a cycle's monitoring year (its assessment period, watched as it happens)."""

    cycle: str
    number: int  # 1-4
    start: pd.Period
    end: pd.Period

    @property
    def months(self) -> list[pd.Period]:
        return list(pd.period_range(self.start, self.end, freq="M"))

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.cycle} ({self.start.strftime('%B')} to {self.end.strftime('%B %Y')})"

    @property
    def key(self) -> str:
        return f"q{self.number}"


def monitoring_quarter(cycle: str, number: int, period_end_month: int = 9) -> Quarter:
    """Quarter 1-4 of a cycle's monitoring year: Q1 of 2026-27 is October-December 2025 (September end)."""
    if not 1 <= number <= 4:
        raise CycleNameError(f"quarter {number}: expected 1-4")
    period = parse_cycle(cycle, period_end_month)
    start = period.start + 3 * (number - 1)
    return Quarter(cycle, number, start, start + 2)


def latest_quarter(today: dt.date, period_end_month: int = 9, lag_months: int = 1,
                   latest_data: pd.Period | None = None) -> Quarter:
    """The newest monitoring quarter whose months have all ended and are published (and on disk)."""
    newest = published_through(today, lag_months)
    if latest_data is not None:
        newest = min(newest, latest_data)
    cycle = cycle_of_month(newest, period_end_month)
    period = parse_cycle(cycle, period_end_month)
    number = (newest.ordinal - period.start.ordinal + 1) // 3
    if number == 0:  # not a whole quarter of this year yet: the previous year's fourth
        return monitoring_quarter(period.previous_cycle(), 4, period_end_month)
    return monitoring_quarter(cycle, number, period_end_month)
