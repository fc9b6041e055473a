"""The action plan seeded from the published plan: one action per adopted priority and priority area,
recorded in the action register (tasks/actions) at the meeting that receives the plan.

Seeding is idempotent: an action with the same wording at the same meeting is not added twice, so a
retried or resumed cycle does not duplicate the plan.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from csp.config import Partnership
from csp.store import models
from csp.store.db import session_scope
from csp.year import plan_meeting
from tasks.actions.register import add_action
from tasks.monitoring.numbers import monitored_quarter, quarter_due
from tasks.prioritise.common import AREA, PRIORITY_CLASSES, PRIORITY_THEME_VALUES, THEME
from tasks.prioritise.store import recommendations_with_decisions

AREA_OWNER = "Problem Solving Group"
THEME_OWNER = "Tasking and Co-ordination Group"


def planned_actions(url: str, config: Partnership, cycle: str) -> list[dict[str, str]]:
    """What the plan asks for: a delivery plan per thematic priority, a problem-solving plan per area."""
    configured = {p.theme: p for p in config.priorities}
    year = config.cycle(cycle).priorities_year
    meeting = plan_meeting(config, cycle).date
    reports = [quarter_due(config, monitored_quarter(config, cycle, q)) for q in range(1, 5)]
    first_report = next((d for d in reports if d > meeting), meeting + dt.timedelta(days=91))
    actions = []
    for view in recommendations_with_decisions(url, config.id, cycle):
        if view.kind == THEME and view.adopted in PRIORITY_THEME_VALUES:
            known = configured.get(view.subject)
            actions.append({"text": f"Agree the {year} delivery plan for the priority '{view.subject_name}' "
                                    "and report progress to the TCG each quarter",
                            "owner": (known.lead_officer if known and known.lead_officer else THEME_OWNER),
                            "priority": view.subject if known else "", "due": first_report.isoformat()})
        elif view.kind == AREA and view.adopted in PRIORITY_CLASSES:
            actions.append({"text": f"Problem-solving plan for {view.subject_name} ({view.subject}), "
                                    f"priority area ({view.adopted}) for {year}",
                            "owner": AREA_OWNER, "priority": "", "due": first_report.isoformat()})
    return actions


def seed_from_plan(url: str, config: Partnership, cycle: str) -> str:
    """Add the plan's actions to the register at the plan's meeting; returns what was done."""
    meeting = plan_meeting(config, cycle)
    with session_scope(url) as session:
        existing = set(session.scalars(select(models.Action.text).where(
            models.Action.partnership_id == config.id, models.Action.meeting == meeting.id)))
    added = []
    for action in planned_actions(url, config, cycle):
        if action["text"] in existing:
            continue
        added.append(add_action(url, config, meeting.id, meeting.date, action["text"], action["owner"],
                                due=dt.date.fromisoformat(action["due"]).strftime("%d/%m/%Y"),
                                priority=action["priority"], by="annual-cycle"))
    kept = len(existing)
    return f"{len(added)} action(s) added at {meeting.id}" + (f", {kept} already there" if kept else "")
