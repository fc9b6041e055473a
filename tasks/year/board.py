"""Waiting for the board: which recommendations still need a decision, the form the Prefect UI shows,
and recording what comes back (from the form, a CSV, or "accept every recommendation").

The form is a Prefect ``RunInput``: one row per recommendation with its outcome and reason, pre-filled
with "accepted" so a secretary changes only what the board changed. The same shape is what
``csp priorities decide/import-decisions`` sends when it resumes a waiting run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from prefect.input import RunInput
from pydantic import BaseModel

from csp.config import Partnership
from csp.store import models
from csp.store.db import ensure_cycle, finish_stage, session_scope, start_stage
from tasks.prioritise.common import NO_CLASS, NO_DATA
from tasks.prioritise.decisions import DecisionInput, import_decisions, record_decision
from tasks.prioritise.store import RecommendationView, recommendations_with_decisions

STAGE = "board"
WAITING = "waiting"


class BoardDecision(BaseModel):
    """One recommendation and what the board decided about it."""

    kind: Literal["area", "theme"]
    subject: str
    name: str = ""
    recommended: str = ""
    outcome: Literal["accepted", "changed", "rejected"] = "accepted"
    value: str = ""
    reason: str = ""


class BoardDecisions(RunInput):
    """The board's decisions on the cycle's recommendations (the form a waiting cycle shows)."""

    meeting: str
    decisions: list[BoardDecision]


def decidable(url: str, partnership_id: str, cycle: str) -> list[RecommendationView]:
    """Recommendations the board is asked about: priority classes and themes with data."""
    return [v for v in recommendations_with_decisions(url, partnership_id, cycle)
            if v.recommendation not in (NO_CLASS, NO_DATA)]


def pending(url: str, partnership_id: str, cycle: str) -> list[RecommendationView]:
    return [v for v in decidable(url, partnership_id, cycle) if not v.outcome]


def _row(view: RecommendationView) -> BoardDecision:
    outcome = view.outcome or "accepted"
    value = view.decided_value if outcome == "changed" else ""
    return BoardDecision(kind=view.kind, subject=view.subject, name=view.subject_name,
                         recommended=view.recommendation, outcome=outcome, value=value or "",
                         reason=view.decision_reason or "")


def form_markdown(views: list[RecommendationView], meeting: str) -> str:
    lines = [f"**The board's decisions ({meeting})**: one row per recommendation. Leave *accepted* "
             "or set *changed* (with the new class or wording in *value*) or *rejected*; a reason is "
             "required for both.", "", "| Kind | Subject | Recommended | Why |", "|---|---|---|---|"]
    lines += [f"| {v.kind} | {v.subject} {v.subject_name} | {v.recommendation} | {v.reason_text[:160]} |"
              for v in views]
    return "\n".join(lines)


def board_form(url: str, partnership_id: str, cycle: str, meeting: str) -> type[BoardDecisions]:
    """The RunInput class to suspend with: every decidable recommendation, pre-filled."""
    views = decidable(url, partnership_id, cycle)
    return BoardDecisions.with_initial_data(description=form_markdown(views, meeting), meeting=meeting,
                                            decisions=[_row(v) for v in views])


def form_from_store(url: str, partnership_id: str, cycle: str, meeting: str) -> dict:
    """The decisions recorded in the store, in the form's shape (what the CLI resumes a run with)."""
    views = decidable(url, partnership_id, cycle)
    return BoardDecisions(meeting=meeting, decisions=[_row(v) for v in views]).model_dump(
        include={"meeting", "decisions"})


def record_form(url: str, config: Partnership, cycle: str, form: BoardDecisions) -> int:
    """Record every decision of a returned form; the first bad row stops with its subject named."""
    for row in form.decisions:
        record_decision(url, config, cycle, DecisionInput(
            subject=row.subject, outcome=row.outcome, value=row.value, reason=row.reason,
            meeting=form.meeting, kind=row.kind))
    return len(form.decisions)


def accept_all(url: str, config: Partnership, cycle: str, meeting: str) -> int:
    """Record 'accepted' for every recommendation still without a decision."""
    views = pending(url, config.id, cycle)
    for view in views:
        record_decision(url, config, cycle, DecisionInput(subject=view.subject, outcome="accepted",
                                                          meeting=meeting, kind=view.kind))
    return len(views)


def import_file(url: str, config: Partnership, cycle: str, path: Path) -> str:
    return import_decisions(url, config, cycle, path).message()


def mark_waiting(url: str, config: Partnership, cycle: str, flow_run_id: str | None) -> None:
    """Record that the cycle waits for the board (once: the first wait's date is the one shown)."""
    with session_scope(url) as session:
        row = ensure_cycle(session, config, cycle)
        waiting = session.query(models.StageRun).filter_by(cycle_id=row.id, stage=STAGE,
                                                           status=WAITING).first()
        if waiting is None:
            start_stage(session, row, STAGE, flow_run_id).status = WAITING
        row.status = "awaiting_board"


def mark_decided(url: str, config: Partnership, cycle: str, message: str) -> None:
    with session_scope(url) as session:
        row = ensure_cycle(session, config, cycle)
        waiting = session.query(models.StageRun).filter_by(cycle_id=row.id, stage=STAGE,
                                                           status=WAITING).all()
        run = waiting[0] if waiting else start_stage(session, row, STAGE, None)
        for extra in waiting[1:]:
            finish_stage(extra, "completed", message)
        finish_stage(run, "completed", message)
        row.status = "decided"
