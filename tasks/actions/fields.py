"""The words of an action log: statuses, due dates and timescales, references.

The seeds write the status and the closing note in one cell ("Closed: Agenda Item 6.") and the due
date as "05/04", "Arranged." or "Next meeting". These parsers turn such cells into the register's
fields and back, so a sheet exported from the register imports to the same values.
"""

from __future__ import annotations

import datetime as dt
import re

OPEN, IN_PROGRESS, CLOSED, CARRIED = "open", "in progress", "closed", "carried forward"
STATUSES = (OPEN, IN_PROGRESS, CLOSED, CARRIED)
LIVE = (OPEN, IN_PROGRESS, CARRIED)  # statuses that can be overdue
_STATUS_WORDS = {"open": OPEN, "in progress": IN_PROGRESS, "closed": CLOSED, "carried forward": CARRIED}

# Free-text timescales the minutes use instead of a date ("Next meeting" takes that meeting's date).
NEXT_MEETING = "next meeting"
TIMESCALES = ("arranged", NEXT_MEETING, "ongoing", "asap", "tbc")

_MONTHS = {name: number for number, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}


class FieldError(ValueError):
    """A cell that is not a value of its column; the message says what was expected."""


def split_status(cell: str) -> tuple[str, str]:
    """'Closed: Agenda Item 6.' -> ('closed', 'Agenda Item 6.'); '' -> ('open', '')."""
    text = (cell or "").strip()
    head, _, note = text.partition(":")
    word = head.strip().rstrip(".").strip().lower()
    if not text:
        return OPEN, ""
    if word not in _STATUS_WORDS:
        raise FieldError(f"unknown status {cell!r}; expected one of {', '.join(STATUSES)} "
                         "(optionally followed by ': note')")
    return _STATUS_WORDS[word], note.strip()


def join_status(status: str, note: str) -> str:
    """The seeds' one-cell form: 'Closed: Agenda Item 6.' or 'Closed.'"""
    label = status.capitalize()
    return f"{label}: {note}" if note else f"{label}."


def normal_status(value: str) -> str:
    """A stored status in the vocabulary (older rows may hold 'Open' or 'Closed: ...')."""
    return split_status(value)[0]


def _timescale(text: str) -> str | None:
    key = text.strip().rstrip(".").strip().lower()
    return key if key in TIMESCALES else None


def _year_on_or_after(day: int, month: int, start: dt.date | None) -> dt.date:
    if start is None:
        raise FieldError("a day and month without a year needs the meeting's date (give --meeting-date)")
    candidate = dt.date(start.year, month, day)
    return candidate if candidate >= start else dt.date(start.year + 1, month, day)


def parse_date(text: str, meeting_date: dt.date | None = None) -> dt.date:
    """ISO, dd/mm/yyyy, dd/mm/yy, '12 February 2019', or dd/mm and '5 April' (the next such day on or
    after the meeting, as the seeds' 'BY WHEN 05/04' means)."""
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return dt.date.fromisoformat(value)
        if match := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", value):
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year + 2000 if year < 100 else year, month, day)
        if match := re.fullmatch(r"(\d{1,2})/(\d{1,2})", value):
            return _year_on_or_after(int(match[1]), int(match[2]), meeting_date)
        if match := re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)(?:\s+(\d{4}))?", value):
            month = _MONTHS.get(match[2].lower())
            if month:
                if match[3]:
                    return dt.date(int(match[3]), month, int(match[1]))
                return _year_on_or_after(int(match[1]), month, meeting_date)
    except ValueError as exc:
        raise FieldError(f"{text!r} is not a real date ({exc})") from None
    raise FieldError(f"{text!r} is neither a date (e.g. 2026-03-31, 31/03/2026, 31/03) nor a known "
                     f"timescale ({', '.join(TIMESCALES)})")


def parse_due(text: str, meeting_date: dt.date | None, next_meeting: dt.date | None
              ) -> tuple[dt.date | None, str]:
    """A 'BY WHEN' cell as (due date, timescale words kept as printed)."""
    value = (text or "").strip()
    if not value:
        return None, ""
    scale = _timescale(value)
    if scale is not None:
        return (next_meeting if scale == NEXT_MEETING else None), value
    return parse_date(value, meeting_date), ""


def month_reference(meeting_date: dt.date, taken: set[str]) -> str:
    """Cambridge's 'MM/NN': the meeting's month and the next free number in it."""
    number = 1
    while f"{meeting_date.month:02d}/{number:02d}" in taken:
        number += 1
    return f"{meeting_date.month:02d}/{number:02d}"


def sequential_reference(taken: set[str]) -> str:
    numbers = [int(t) for t in taken if t.isdigit()]
    return str(max(numbers, default=0) + 1)
