"""Cycle names and the periods they cover.

A cycle is named, like the seed documents, by the financial year in which its assessment is delivered:
cycle ``2025-26`` assesses the 12 months ending the configured month of 2025, goes to the board early in
2026 and sets priorities for 2026-27.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

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
    def previous_start(self) -> pd.Period:
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
        return f"12 months to {self.end.strftime('%B %Y')}"

    @property
    def priorities_year(self) -> str:
        """The financial year the cycle's priorities are for, e.g. '2026-27'."""
        first = int(self.name[:4]) + 1
        return f"{first}-{str(first + 1)[-2:]}"

    def previous_cycle(self) -> str:
        first = int(self.name[:4]) - 1
        return f"{first}-{str(first + 1)[-2:]}"


def parse_cycle(name: str, period_end_month: int = 9) -> CyclePeriod:
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
    end = pd.Period(year=first, month=period_end_month, freq="M")
    return CyclePeriod(name=name, start=end - 11, end=end)


def latest_cycle(today: dt.date, period_end_month: int = 9) -> str:
    """The newest cycle whose assessment period has ended by ``today`` (for scheduled runs)."""
    year = today.year if today.month > period_end_month else today.year - 1
    return f"{year}-{(year + 1) % 100:02d}"


def cycle_in_progress(today: dt.date, period_end_month: int = 9) -> str:
    """The cycle whose assessment period holds last month: what quarterly monitoring refreshes."""
    last_month = pd.Period(today, freq="M") - 1
    year = last_month.year if last_month.month <= period_end_month else last_month.year + 1
    return f"{year}-{(year + 1) % 100:02d}"
