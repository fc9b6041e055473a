"""Contexts of the meeting papers: agenda, minutes template and terms of reference.

These need no assessment: the agenda comes from the agenda YAML and the meeting's configuration, the
minutes template from the membership and the open actions, the terms of reference from configuration
and the priorities that stand.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from csp.store.db import find_cycle
from tasks.actions.overdue import is_live
from tasks.actions.register import load_actions
from tasks.papers import standing as S
from tasks.papers.agenda import Agenda, build_agenda
from tasks.papers.common import (
    Built,
    Setting,
    common,
    long_date,
    neighbour_meetings,
    other_meeting,
    plan_period,
)
from tasks.papers.ctx_priorities import decision_state, people, plan_entries, plan_priorities


def meeting_agenda(setting: Setting) -> Agenda:
    previous, following = neighbour_meetings(setting.config, setting.meeting)
    values = {
        "cycle": setting.period.name,
        "priorities_year": setting.period.priorities_year,
        "previous_meeting": long_date(previous.date) if previous else "previous",
        "next_meeting": long_date(following.date) if following else "to be agreed",
        "short_name": setting.config.short_name,
    }
    return build_agenda(setting.config, setting.meeting, values)


def _papers(kinds: tuple[str, ...], pack: dict[str, int]) -> str:
    return ", ".join(f"{pack[k]:02d}" for k in kinds if k in pack)


def build_agenda_paper(session: Session, setting: Setting) -> Built:
    agenda = meeting_agenda(setting)
    _, following = neighbour_meetings(setting.config, setting.meeting)
    rows = [{"is_group": r.is_group, "group": r.group, "number": r.number, "title": r.title,
             "lead": r.lead, "minutes": "" if r.is_group else r.minutes,
             "time": "" if r.is_group else f"{r.start}-{r.end}", "papers": _papers(r.papers, setting.pack)}
            for r in agenda.rows]
    context = {**common(setting), "rows": rows, "end_time": agenda.end,
               "total_minutes": agenda.total_minutes, "next_meeting": other_meeting(following)}
    return Built(context)


def _actions(session: Session, setting: Setting) -> list[dict[str, Any]]:
    """The actions still to do, as the action register reads and judges them (tasks/actions)."""
    return [{"number": a.reference, "text": a.text, "owner": a.owner,
             "due": long_date(a.due) if a.due else "", "status": a.status[:1].upper() + a.status[1:]}
            for a in load_actions(session, setting.config.id) if is_live(a)]


def _outcomes(session: Session, setting: Setting) -> list[dict[str, str]]:
    """One outcome line per recommendation the board decides at the priorities item."""
    if find_cycle(session, setting.config.id, setting.period.name) is None:
        return []
    recs = S.recommendations(session, setting.config.id, setting.period.name)
    return [{"subject": r.subject_name, "recommendation": r.recommendation,
             "outcome": S.status_text(r) if S.is_decided(r) else ""}
            for r in recs if (r.kind == "theme" and r.recommendation in ("retain", "add", "retire"))
            or (r.kind == "area" and r.recommendation in ("Emerging", "Preventing", "Sustaining", "Discharged"))]


def build_minutes(session: Session, setting: Setting) -> Built:
    agenda = meeting_agenda(setting)
    previous, _ = neighbour_meetings(setting.config, setting.meeting)
    context = {
        **common(setting),
        "board": people(setting.config.board),
        "members": people(setting.config.members),
        "guests": people(agenda.attendance.guests),
        "apologies": people(agenda.attendance.apologies),
        "items": [{"number": r.number, "title": r.title, "lead": r.lead, "decision": r.decision,
                   "outcomes": _outcomes(session, setting) if "priorities" in r.papers else []}
                  for r in agenda.rows if not r.is_group],
        "actions": _actions(session, setting),
        "previous_meeting": other_meeting(previous),
    }
    return Built(context)


def build_terms_of_reference(session: Session, setting: Setting) -> Built:
    cycle = find_cycle(session, setting.config.id, setting.period.name)
    recs = S.recommendations(session, setting.config.id, setting.period.name) if cycle is not None else []
    standing = plan_priorities(setting.config, recs, plan_entries(setting.config), long_date(setting.meeting.date))
    state = decision_state(recs)
    context = {
        **common(setting),
        **state,
        "plan_period": plan_period(setting.meeting),
        # the terms of reference list only adopted priorities: agreed ones, else those in force now
        "priorities": [{"title": p["title"]} for p in standing] if state["decided"]
        else [{"title": p.title} for p in setting.config.priorities],
        "proposed": [] if state["decided"] else [{"title": p["title"]} for p in standing if p["proposed"]],
        "board": people(setting.config.board),
        "members": people(setting.config.members),
    }
    return Built(context)
