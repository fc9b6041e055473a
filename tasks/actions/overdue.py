"""Which actions are overdue, judged against the next meeting's date, and the secretary's reminders.

An action is overdue at a meeting when it is still open (open, in progress or carried forward) and
its due date falls before that meeting: the board will ask about it. Actions with only a timescale
("Arranged.", "Ongoing") have no date and are never overdue; "Next meeting" takes that meeting's date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from csp.config import Meeting, Partnership
from tasks.actions import fields as F
from tasks.actions.register import ActionView, as_text, list_actions
from tasks.sheets import write_table


def next_meeting(config: Partnership, as_of: dt.date) -> Meeting | None:
    """The first configured meeting on or after a date."""
    later = sorted((m for m in config.meetings if m.date >= as_of), key=lambda m: m.date)
    return later[0] if later else None


def is_live(view: ActionView) -> bool:
    """Still to do: a live status and no closing date (as the minutes template's reader judges it)."""
    return view.status in F.LIVE and view.closed_on is None


def is_overdue(view: ActionView, on: dt.date) -> bool:
    return is_live(view) and view.due is not None and view.due < on


@dataclass(frozen=True)
class Reminders:
    """The between-meetings check: what is overdue now and what falls due before the next meeting."""

    partnership: str
    as_of: dt.date
    next_meeting: str
    next_meeting_date: dt.date | None
    overdue: tuple[ActionView, ...]
    due_soon: tuple[ActionView, ...]
    open_count: int


def check(url: str, config: Partnership, as_of: dt.date) -> Reminders:
    """Overdue actions relative to the next meeting's date (or to ``as_of`` when none is configured)."""
    meeting = next_meeting(config, as_of)
    judge_on = meeting.date if meeting else as_of
    live = [v for v in list_actions(url, config.id) if is_live(v)]
    overdue = [v for v in live if v.due is not None and v.due < as_of]
    soon = [v for v in live if v.due is not None and as_of <= v.due < judge_on]
    return Reminders(config.id, as_of, meeting.id if meeting else "", meeting.date if meeting else None,
                     tuple(overdue), tuple(soon), len(live))


REMINDER_COLUMNS = ["Reminder", "Reference", "Meeting", "Action point", "Owner", "Due", "Days overdue"]


def reminder_rows(reminders: Reminders) -> list[list[str]]:
    rows = []
    for label, views in (("overdue", reminders.overdue), ("due before the next meeting", reminders.due_soon)):
        for v in views:
            late = (reminders.as_of - v.due).days if v.due and v.due < reminders.as_of else 0
            rows.append([label, v.reference, v.meeting, v.text, v.owner, as_text(v.due), str(late)])
    return rows


def reminder_markdown(reminders: Reminders) -> str:
    """The summary a Prefect artifact shows: counts, then each action with its owner and date."""
    when = (f"next meeting {reminders.next_meeting} on {reminders.next_meeting_date:%d %B %Y}"
            if reminders.next_meeting_date else "no next meeting configured")
    lines = [f"# Action reminders: {reminders.partnership}, {reminders.as_of:%d %B %Y}", "",
             f"{reminders.open_count} open action(s); {len(reminders.overdue)} overdue; "
             f"{len(reminders.due_soon)} due before the {when}.", ""]
    rows = reminder_rows(reminders)
    if rows:
        lines += ["| Reminder | Ref | Meeting | Action point | Owner | Due | Days overdue |",
                  "|---|---|---|---|---|---|---|"]
        lines += ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in rows]
    else:
        lines.append("Nothing overdue or due before the next meeting.")
    return "\n".join(lines)


def write_reminders(reminders: Reminders, folder: Path) -> Path:
    """The secretary's CSV of reminders (one per day; a re-run the same day replaces it)."""
    path = folder / f"action-reminders-{reminders.as_of.isoformat()}.csv"
    return write_table(path, REMINDER_COLUMNS, reminder_rows(reminders))
