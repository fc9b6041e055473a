"""The action register: create, change and close action points, each change kept in its history.

Every write happens in one transaction and locks the rows it changes (``SELECT ... FOR UPDATE`` on
PostgreSQL); the ``version`` column makes an update based on an older reading fail instead of silently
overwriting, so a secretary's edit and a running flow never lose each other's writes.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from csp.config import Partnership
from csp.store import models
from csp.store.db import ensure_partnership, session_scope
from tasks.actions import fields as F

# Editable fields in the order a sheet shows them; the key (meeting, reference) is not among them.
FIELDS = ("meeting_date", "agenda_item", "text", "owner", "due", "timescale", "status", "closing_note",
          "closed_on", "priority", "budget_line")
DATE_FIELDS = ("meeting_date", "due", "closed_on")


class ActionError(ValueError):
    """A register operation that cannot be done (unknown action, ambiguous reference, bad value)."""


class ConflictError(ActionError):
    """The action changed since the version the edit was based on; nothing was written."""


def who(by: str | None = None) -> str:
    """Who made a change: ``--by`` when given, else the operating-system user."""
    if by:
        return by
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")


def today() -> dt.date:
    return dt.date.today()


def as_text(value: Any) -> str:
    """A field's value as a sheet or the history shows it."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def budget_ref(session: Session, line_id: int | None) -> str:
    if line_id is None:
        return ""
    line = session.get(models.BudgetLine, line_id)
    return f"{line.financial_year}/{line.position}" if line else ""


def resolve_budget_line(session: Session, partnership_id: str, ref: str) -> int | None:
    """'2019-20/2' (financial year / line position) -> the budget line's id."""
    if not ref:
        return None
    year, _, position = ref.partition("/")
    line = session.scalar(select(models.BudgetLine).where(
        models.BudgetLine.partnership_id == partnership_id, models.BudgetLine.financial_year == year,
        models.BudgetLine.position == (int(position) if position.isdigit() else -1)))
    if line is None:
        raise ActionError(f"no budget line {ref!r} (expected financial year/line, e.g. 2019-20/2; "
                          "see csp budget show)")
    return line.id


def values_of(session: Session, action: models.Action) -> dict[str, Any]:
    """The editable fields of a stored action (status normalised to the vocabulary)."""
    values = {name: getattr(action, name) for name in FIELDS if name != "budget_line"}
    values["status"] = F.normal_status(action.status or "")
    values["timescale"] = action.timescale or ""
    values["closing_note"] = action.closing_note or ""
    values["agenda_item"] = action.agenda_item or ""
    values["priority"] = action.priority or ""
    values["budget_line"] = budget_ref(session, action.budget_line_id)
    return values


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


def find(session: Session, partnership_id: str, reference: str, meeting: str | None = None,
         lock: bool = False) -> models.Action:
    """The action with this reference (and meeting, when the reference recurs across meetings)."""
    query = select(models.Action).where(models.Action.partnership_id == partnership_id,
                                        models.Action.number == reference)
    if meeting:
        query = query.where(models.Action.meeting == meeting)
    if lock:
        query = query.with_for_update()
    found = session.scalars(query).all()
    if not found:
        where = f" of meeting {meeting!r}" if meeting else ""
        raise ActionError(f"no action {reference!r}{where} for {partnership_id}")
    if len(found) > 1:
        meetings = ", ".join(sorted(a.meeting for a in found))
        raise ActionError(f"action {reference!r} exists for several meetings ({meetings}); give --meeting")
    return found[0]


def _history(session: Session, action: models.Action, changes: list[Change], by: str, source: str) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    session.add_all([models.ActionHistory(action_id=action.id, field=c.field, old_value=c.old,
                                          new_value=c.new, changed_at=now, changed_by=by, source=source)
                     for c in changes])


def _assign(session: Session, action: models.Action, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name == "budget_line":
            action.budget_line_id = resolve_budget_line(session, action.partnership_id, value)
        else:
            setattr(action, name, value)


def apply_changes(session: Session, action: models.Action, wanted: dict[str, Any], by: str, source: str,
                  expected_version: int | None = None) -> list[Change]:
    """Set the fields that differ, record one history row per field; nothing at all when none differ.

    Closing without a date records today as the closing date; reopening clears it.
    """
    if expected_version is not None and action.version != expected_version:
        raise ConflictError(
            f"action {action.number} ({action.meeting}) changed since version {expected_version} "
            f"(now version {action.version}); export the register again and re-apply the edit")
    current = values_of(session, action)
    wanted = dict(wanted)
    closing = wanted.get("status") == F.CLOSED and current["status"] != F.CLOSED
    if closing and "closed_on" not in wanted and current["closed_on"] is None:
        wanted["closed_on"] = today()
    reopening = wanted.get("status", F.CLOSED) != F.CLOSED and current["status"] == F.CLOSED
    if reopening and "closed_on" not in wanted:
        wanted["closed_on"] = None
    changed = {k: v for k, v in wanted.items() if as_text(v) != as_text(current[k])}
    if not changed:
        return []
    _assign(session, action, changed)
    session.flush()  # the version check happens here: a concurrent write makes this fail
    changes = [Change(k, as_text(current[k]), as_text(v)) for k, v in changed.items()]
    _history(session, action, changes, by, source)
    return changes


def create(session: Session, partnership_id: str, meeting: str, reference: str, values: dict[str, Any],
           by: str, source: str) -> models.Action:
    """A new action and its 'created' history row."""
    action = models.Action(partnership_id=partnership_id, meeting=meeting, number=reference, text="",
                           owner="", status=F.OPEN)
    session.add(action)
    _assign(session, action, {k: v for k, v in values.items() if k in FIELDS})
    session.flush()
    _history(session, action, [Change("created", "", f"{meeting} {reference}")], by, source)
    return action


def next_reference(session: Session, config: Partnership, meeting: str, meeting_date: dt.date) -> str:
    taken = set(session.scalars(select(models.Action.number).where(
        models.Action.partnership_id == config.id, models.Action.meeting == meeting)).all())
    if config.actions.numbering == "month":
        return F.month_reference(meeting_date, taken)
    return F.sequential_reference(taken)


# --- operations for the command line and the flows (each its own transaction) ---------------------


def add_action(url: str, config: Partnership, meeting: str, meeting_date: dt.date, text: str, owner: str,
               due: str = "", agenda_item: str = "", priority: str = "", budget_line: str = "",
               by: str | None = None, reference: str | None = None) -> str:
    """Add an action numbered by the partnership's style; returns its reference."""
    next_date = next_meeting_date(config, meeting_date)
    due_date, timescale = F.parse_due(due, meeting_date, next_date)
    if priority and priority not in {p.theme for p in config.priorities}:
        known = ", ".join(p.theme for p in config.priorities)
        raise ActionError(f"unknown priority {priority!r}; expected one of {known}")
    with session_scope(url) as session:
        ensure_partnership(session, config)
        ref = reference or next_reference(session, config, meeting, meeting_date)
        if session.scalar(select(models.Action.id).where(
                models.Action.partnership_id == config.id, models.Action.meeting == meeting,
                models.Action.number == ref)):
            raise ActionError(f"action {ref!r} of meeting {meeting!r} already exists")
        create(session, config.id, meeting, ref, {
            "meeting_date": meeting_date, "text": text, "owner": owner, "due": due_date,
            "timescale": timescale, "agenda_item": agenda_item, "priority": priority,
            "budget_line": budget_line, "status": F.OPEN}, who(by), "csp actions add")
    return ref


def update_action(url: str, partnership_id: str, reference: str, wanted: dict[str, Any],
                  meeting: str | None = None, by: str | None = None, expected_version: int | None = None,
                  source: str = "csp actions update") -> list[Change]:
    """Change some fields of one action (locked while it changes)."""
    unknown = set(wanted) - set(FIELDS)
    if unknown:
        raise ActionError(f"unknown field(s) {sorted(unknown)}; expected some of {FIELDS}")
    with session_scope(url) as session:
        action = find(session, partnership_id, reference, meeting, lock=True)
        return apply_changes(session, action, wanted, who(by), source, expected_version)


def close_action(url: str, partnership_id: str, reference: str, note: str = "", meeting: str | None = None,
                 on: dt.date | None = None, by: str | None = None) -> list[Change]:
    wanted: dict[str, Any] = {"status": F.CLOSED, "closing_note": note}
    if on is not None:
        wanted["closed_on"] = on
    return update_action(url, partnership_id, reference, wanted, meeting, by, source="csp actions close")


def next_meeting_date(config: Partnership, after: dt.date) -> dt.date | None:
    """The first configured meeting strictly after a date (for 'Next meeting' timescales)."""
    later = sorted(m.date for m in config.meetings if m.date > after)
    return later[0] if later else None


@dataclass(frozen=True)
class ActionView:
    """An action as the lists, sheets and papers show it."""

    id: int
    meeting: str
    reference: str
    values: dict[str, Any]
    version: int

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None


def _order(action: models.Action) -> tuple:
    return (action.meeting_date or dt.date.min, action.meeting, action.number)


def load_actions(session: Session, partnership_id: str) -> list[ActionView]:
    rows = session.scalars(select(models.Action).where(models.Action.partnership_id == partnership_id)).all()
    return [ActionView(r.id, r.meeting, r.number, values_of(session, r), r.version)
            for r in sorted(rows, key=_order)]


def list_actions(url: str, partnership_id: str) -> list[ActionView]:
    with session_scope(url) as session:
        return load_actions(session, partnership_id)


def history(url: str, partnership_id: str, reference: str, meeting: str | None = None) -> list[dict[str, str]]:
    with session_scope(url) as session:
        action = find(session, partnership_id, reference, meeting)
        rows = session.scalars(select(models.ActionHistory).where(models.ActionHistory.action_id == action.id)
                               .order_by(models.ActionHistory.id)).all()
        return [{"when": r.changed_at.isoformat(timespec="seconds"), "by": r.changed_by, "field": r.field,
                 "from": r.old_value or "", "to": r.new_value or "", "source": r.source} for r in rows]


def parse_edits(config: Partnership, meeting_date: dt.date | None, edits: dict[str, str]) -> dict[str, Any]:
    """Command-line text for fields -> register values (due dates, timescales and statuses parsed)."""
    values: dict[str, Any] = {}
    for name, text in edits.items():
        if name == "due":
            values["due"], values["timescale"] = F.parse_due(
                text, meeting_date, next_meeting_date(config, meeting_date) if meeting_date else None)
        elif name == "status":
            values["status"], note = F.split_status(text)
            if note:
                values["closing_note"] = note
        elif name in DATE_FIELDS:
            values[name] = F.parse_date(text) if text else None
        elif name == "priority" and text and text not in {p.theme for p in config.priorities}:
            raise ActionError(f"unknown priority {text!r}; expected one of "
                              f"{', '.join(p.theme for p in config.priorities)}")
        else:
            values[name] = text
    return values


def edit_action(url: str, config: Partnership, reference: str, edits: dict[str, str], meeting: str | None = None,
                by: str | None = None, expected_version: int | None = None) -> list[Change]:
    """Apply text edits from the command line to one action, in one locked transaction."""
    with session_scope(url) as session:
        action = find(session, config.id, reference, meeting, lock=True)
        try:
            wanted = parse_edits(config, action.meeting_date, edits)
        except F.FieldError as exc:
            raise ActionError(str(exc)) from None
        return apply_changes(session, action, wanted, who(by), "csp actions update", expected_version)
