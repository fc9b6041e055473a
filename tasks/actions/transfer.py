"""Load action logs into the register (CSV, XLSX, Word minutes) and write the register out as a sheet.

An import is all or nothing: every row is parsed and checked first, then applied in one transaction
that locks the rows it changes; any problem (a bad cell, a reference duplicated in the sheet, an edit
based on an older version of an action) rolls the whole import back and lists every problem. An
unchanged sheet changes nothing and writes no history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from csp.config import Partnership
from csp.store import models
from csp.store.db import ensure_partnership, session_scope
from tasks.actions import register as reg
from tasks.actions.shapes import REGISTER_COLUMNS, Context, ParsedRow, parse_rows
from tasks.actions.word import read_minutes
from tasks.sheets import Problem, SheetError, Table, read_table, write_table


@dataclass(frozen=True)
class ImportSummary:
    file: str
    shape: str
    created: int
    changed: int
    unchanged: int
    history_rows: int

    def message(self) -> str:
        return (f"{self.file} ({self.shape} shape): {self.created} new, {self.changed} changed, "
                f"{self.unchanged} unchanged; {self.history_rows} history row(s)")


def read_any(path: Path) -> Table:
    return read_minutes(path) if path.suffix.lower() == ".docx" else read_table(path)


def context_for(config: Partnership, meeting: str | None, meeting_date: dt.date | None) -> Context:
    """A seed-shaped log's meeting: its date from configuration unless given."""
    if meeting and meeting_date is None:
        known = {m.id: m.date for m in config.meetings}
        meeting_date = known.get(meeting)
    following = reg.next_meeting_date(config, meeting_date) if meeting_date else None
    return Context(meeting, meeting_date, following, frozenset(p.theme for p in config.priorities),
                   tuple(m.date for m in config.meetings))


def _existing(session: Session, partnership_id: str, item: ParsedRow) -> models.Action | None:
    return session.scalars(select(models.Action).where(
        models.Action.partnership_id == partnership_id, models.Action.meeting == item.meeting,
        models.Action.number == item.reference).with_for_update()).first()


def _pending(session: Session, action: models.Action, item: ParsedRow) -> dict:
    current = reg.values_of(session, action)
    return {k: v for k, v in item.values.items() if reg.as_text(v) != reg.as_text(current[k])}


def _apply(session: Session, config: Partnership, table: Table, rows: list[ParsedRow], by: str,
           source: str) -> tuple[int, int, int, int, list[Problem]]:
    created = changed = unchanged = history = 0
    problems: list[Problem] = []
    for item in rows:
        action = _existing(session, config.id, item)
        try:
            if action is None:
                reg.create(session, config.id, item.meeting, item.reference, item.values, by, source)
                created, history = created + 1, history + 1
                continue
            pending = _pending(session, action, item)
            if not pending:
                unchanged += 1
                continue
            if item.version is not None and item.version != action.version:
                problems.append(Problem(table.file, item.number, "Version", (
                    f"action {item.reference} changed since this sheet was exported (sheet version "
                    f"{item.version}, register version {action.version}); export again and re-apply")))
                continue
            made = reg.apply_changes(session, action, item.values, by, source)
            changed, history = changed + 1, history + len(made)
        except reg.ActionError as exc:
            problems.append(Problem(table.file, item.number, None, str(exc)))
        except StaleDataError:
            problems.append(Problem(table.file, item.number, None,
                                    f"action {item.reference} was changed by someone else during the import"))
    return created, changed, unchanged, history, problems


def import_actions(url: str, config: Partnership, path: Path, meeting: str | None = None,
                   meeting_date: dt.date | None = None, by: str | None = None) -> ImportSummary:
    """Import an action log (CSV, XLSX or Word minutes); all rows or none."""
    table = read_any(path)
    shape, rows, problems = parse_rows(table, context_for(config, meeting, meeting_date))
    if problems:
        raise SheetError(problems)
    source = f"import {path.name}"
    try:
        with session_scope(url) as session:
            ensure_partnership(session, config)
            created, changed, unchanged, history, problems = _apply(session, config, table, rows,
                                                                    reg.who(by), source)
            if problems:
                raise SheetError(problems)
    except StaleDataError:
        raise SheetError([Problem(table.file, None, None, "the register changed during the import; "
                                  "nothing was imported, try again")]) from None
    return ImportSummary(table.file, shape, created, changed, unchanged, history)


def register_rows(views: list[reg.ActionView]) -> list[list[str]]:
    """The register as sheet rows (every field as text), in REGISTER_COLUMNS order."""
    rows = []
    for view in views:
        v = {k: reg.as_text(x) for k, x in view.values.items()}
        rows.append([view.reference, view.meeting, v["meeting_date"], v["agenda_item"], v["text"], v["owner"],
                     v["due"], v["timescale"], v["status"], v["closing_note"], v["closed_on"], v["priority"],
                     v["budget_line"], str(view.version)])
    return rows


def export_actions(url: str, partnership_id: str, path: Path, include_closed: bool = True) -> Path:
    """Write the register as CSV or XLSX in the shape ``import_actions`` reads back unchanged."""
    views = reg.list_actions(url, partnership_id)
    if not include_closed:
        views = [v for v in views if v.status != "closed"]
    return write_table(path, REGISTER_COLUMNS, register_rows(views))
