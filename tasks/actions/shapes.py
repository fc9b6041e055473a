"""The three table shapes an action log arrives in, and how a row of each becomes register fields.

- Cambridge's log: ``MONTH / NUMBER | ACTION POINT | ACTION`` (the last holds "Closed: Agenda Item 6.").
- South Cambridgeshire's: ``No. | ACTION | BY WHOM | BY WHEN`` ("05/04", "Arranged.").
- The register's own (what ``csp actions export`` writes): every field, one column each.

Rows are parsed without touching the store; every problem is collected with its row and column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tasks.actions import fields as F
from tasks.sheets import Problem, Table

REGISTER_COLUMNS = ["Reference", "Meeting", "Meeting date", "Agenda item", "Action point", "Owner", "Due",
                    "Timescale", "Status", "Closing note", "Closed on", "Priority", "Budget line", "Version"]
REGISTER_REQUIRED = ("Reference", "Meeting", "Action point", "Status")
CAMBRIDGE_COLUMNS = ["MONTH / NUMBER", "ACTION POINT", "ACTION"]
SOUTH_CAMBS_COLUMNS = ["No.", "ACTION", "BY WHOM", "BY WHEN"]


def _key(name: str) -> str:
    return " ".join(name.replace("\n", " ").split()).lower()


@dataclass(frozen=True)
class Context:
    """What a seed-shaped log does not say itself: whose log, which meeting, when, valid priorities."""

    meeting: str | None
    meeting_date: dt.date | None
    next_meeting: dt.date | None
    priorities: frozenset[str] = frozenset()
    meeting_dates: tuple[dt.date, ...] = ()  # every configured meeting, for a row's 'Next meeting'

    def after(self, day: dt.date | None) -> dt.date | None:
        """The first configured meeting after a row's own meeting."""
        if day is None:
            return self.next_meeting
        later = sorted(d for d in self.meeting_dates if d > day)
        return later[0] if later else None


@dataclass
class ParsedRow:
    number: int
    meeting: str
    reference: str
    values: dict[str, Any] = field(default_factory=dict)
    version: int | None = None


def detect(table: Table) -> tuple[str, list[Problem]]:
    """Which shape the header is; a missing column is named."""
    keys = {_key(h) for h in table.header}
    if "reference" in keys:
        shape, wanted = "register", list(REGISTER_REQUIRED)
    elif "month / number" in keys:
        shape, wanted = "cambridge", CAMBRIDGE_COLUMNS
    elif "no." in keys:
        shape, wanted = "south-cambridgeshire", SOUTH_CAMBS_COLUMNS
    else:
        return "", [Problem(table.file, 1, None,
                            "header matches no action-log shape; expected the register's columns "
                            f"({', '.join(REGISTER_REQUIRED)} ...), or {' | '.join(CAMBRIDGE_COLUMNS)}, "
                            f"or {' | '.join(SOUTH_CAMBS_COLUMNS)}")]
    missing = [c for c in wanted if _key(c) not in keys]
    return shape, [Problem(table.file, 1, c, "missing column") for c in missing]


def _cells(table: Table, row: list[str]) -> dict[str, str]:
    return {_key(h): v.strip() for h, v in zip(table.header, row, strict=True)}


class _Row:
    """One row being parsed: cell access and problems tagged with the row's place."""

    def __init__(self, table: Table, number: int, row: list[str]):
        self.table, self.number, self.cells = table, number, _cells(table, row)
        self.problems: list[Problem] = []

    def has(self, column: str) -> bool:
        return _key(column) in self.cells

    def get(self, column: str) -> str:
        return self.cells.get(_key(column), "")

    def fail(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.table.file, self.number, column, message))

    def date(self, column: str, meeting_date: dt.date | None) -> dt.date | None:
        text = self.get(column)
        if not text:
            return None
        try:
            return F.parse_date(text, meeting_date)
        except F.FieldError as exc:
            self.fail(column, str(exc))
            return None


def _status(row: _Row, column: str, values: dict[str, Any]) -> None:
    try:
        values["status"], values["closing_note"] = F.split_status(row.get(column))
    except F.FieldError as exc:
        row.fail(column, str(exc))


def _due(row: _Row, column: str, values: dict[str, Any], ctx: Context, meeting_date: dt.date | None) -> None:
    try:
        values["due"], values["timescale"] = F.parse_due(row.get(column), meeting_date, ctx.after(meeting_date))
    except F.FieldError as exc:
        row.fail(column, str(exc))


def _register_row(row: _Row, ctx: Context) -> ParsedRow:
    meeting_date = row.date("Meeting date", None) if row.has("Meeting date") else ctx.meeting_date
    values: dict[str, Any] = {"text": row.get("Action point")}
    if row.has("Meeting date"):
        values["meeting_date"] = meeting_date
    _status(row, "Status", values)
    if row.has("Closing note") and (row.get("Closing note") or not values.get("closing_note")):
        values["closing_note"] = row.get("Closing note")
    if row.has("Due"):
        _due(row, "Due", values, ctx, meeting_date)
    if row.has("Timescale") and row.get("Timescale"):
        scale = row.get("Timescale")
        if scale.strip().rstrip(".").strip().lower() not in F.TIMESCALES:
            row.fail("Timescale", f"unknown timescale {scale!r}; expected one of {', '.join(F.TIMESCALES)}")
        values["timescale"] = scale
    elif row.has("Timescale"):
        values.setdefault("timescale", "")
    for column, name in (("Owner", "owner"), ("Agenda item", "agenda_item"), ("Priority", "priority"),
                         ("Budget line", "budget_line")):
        if row.has(column):
            values[name] = row.get(column)
    if row.has("Closed on"):
        values["closed_on"] = row.date("Closed on", None)
    if values.get("priority") and ctx.priorities and values["priority"] not in ctx.priorities:
        row.fail("Priority", f"unknown priority {values['priority']!r}; expected one of "
                             f"{', '.join(sorted(ctx.priorities))}")
    version = None
    if row.get("Version"):
        if row.get("Version").isdigit():
            version = int(row.get("Version"))
        else:
            row.fail("Version", f"{row.get('Version')!r} is not a whole number")
    if not row.get("Meeting"):
        row.fail("Meeting", "empty: every action belongs to a meeting")
    return ParsedRow(row.number, row.get("Meeting"), row.get("Reference"), values, version)


def _seed_row(row: _Row, shape: str, ctx: Context) -> ParsedRow:
    values: dict[str, Any] = {"meeting_date": ctx.meeting_date}
    if shape == "cambridge":
        reference = row.get("MONTH / NUMBER")
        values["text"] = row.get("ACTION POINT")
        _status(row, "ACTION", values)
    else:
        reference = row.get("No.")
        values["text"] = row.get("ACTION")
        values["owner"] = row.get("BY WHOM")
        _due(row, "BY WHEN", values, ctx, ctx.meeting_date)
    return ParsedRow(row.number, ctx.meeting or "", reference, values)


def parse_rows(table: Table, ctx: Context) -> tuple[str, list[ParsedRow], list[Problem]]:
    """Every row of a table as register fields, with every problem found (none means all good)."""
    shape, problems = detect(table)
    if problems:
        return shape, [], problems
    if shape != "register" and not ctx.meeting:
        return shape, [], [Problem(table.file, None, None,
                                   f"a {shape} action log does not say its meeting: give --meeting")]
    parsed: list[ParsedRow] = []
    seen: dict[tuple[str, str], int] = {}
    ref_column = {"register": "Reference", "cambridge": "MONTH / NUMBER", "south-cambridgeshire": "No."}[shape]
    for number, cells in zip(table.numbers, table.rows, strict=True):
        row = _Row(table, number, cells)
        item = _register_row(row, ctx) if shape == "register" else _seed_row(row, shape, ctx)
        if not item.reference:
            row.fail(ref_column, "empty reference")
        elif (item.meeting, item.reference) in seen:
            row.fail(ref_column, f"duplicated reference {item.reference!r} "
                                 f"(also row {seen[(item.meeting, item.reference)]})")
        else:
            seen[(item.meeting, item.reference)] = number
        if not item.values.get("text"):
            text_column = {"register": "Action point", "cambridge": "ACTION POINT"}.get(shape, "ACTION")
            row.fail(text_column, "no action text")
        problems += row.problems
        parsed.append(item)
    return shape, parsed, problems
