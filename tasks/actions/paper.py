"""The action log paper's context: open actions, those closed since the last meeting, those overdue.

Each action's last column is written as the seeds write it ("Closed: Agenda Item 6.", "Open.").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tasks.actions import fields as F
from tasks.actions.overdue import is_live, is_overdue
from tasks.actions.register import ActionView, load_actions
from tasks.papers.common import Built, Setting, common, long_date, neighbour_meetings, other_meeting


def action_row(view: ActionView) -> dict[str, Any]:
    due = long_date(view.due) if view.due else ""
    if view.timescale:
        due = f"{view.timescale} ({due})" if due else view.timescale
    return {"number": view.reference, "text": view.text, "owner": view.owner, "due": due,
            "action": F.join_status(view.status, view.closing_note), "meeting": view.meeting}


def build_action_log(session: Session, setting: Setting) -> Built:
    meeting = setting.meeting
    previous, _ = neighbour_meetings(setting.config, meeting)
    since = previous.date if previous else None
    views = [v for v in load_actions(session, setting.config.id)
             if v.meeting_date is None or v.meeting_date < meeting.date]
    live = [v for v in views if is_live(v)]
    closed = [v for v in views if v.status == F.CLOSED and v.closed_on is not None
              and v.closed_on <= meeting.date and (since is None or v.closed_on > since)]
    overdue = [v for v in live if is_overdue(v, meeting.date)]
    context = {
        **common(setting),
        "open": [action_row(v) for v in live],
        "closed": [action_row(v) for v in closed],
        "overdue": [action_row(v) for v in overdue],
        "counts": {"open": len(live), "closed": len(closed), "overdue": len(overdue)},
        "previous_meeting": other_meeting(previous),
    }
    return Built(context)
