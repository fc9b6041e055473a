"""What the papers may say about a recommendation: proposed until the board's decision is recorded.

The one reader of "recommendation plus the decision in force" is
:func:`tasks.prioritise.store.recommendations_with_decisions`; this module only words its answer.
Before a decision is recorded a paper says "recommended" or "proposed"; after it, "agreed on <date>"
with the outcome. Nothing here guesses a decision: a paper drafted before the meeting must not read as
if the board had already decided (a governance error if published).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from csp.store.db import find_cycle
from tasks.papers.common import long_date
from tasks.papers.inputs import recommendations_token
from tasks.papers.shared import shared
from tasks.prioritise.store import RecommendationView, recommendations_with_decisions

PRIORITY_VALUES = ("retain", "add")  # a theme standing with one of these is a priority
OUTCOME_WORDS = {"accepted": "agreed", "changed": "agreed with changes", "rejected": "not agreed"}


def session_url(session: Session) -> str:
    """The database URL of a session, so the prioritise reader can open its own."""
    return session.get_bind().url.render_as_string(hide_password=False)


def recommendations(session: Session, partnership_id: str, cycle_name: str) -> list[RecommendationView]:
    """The cycle's recommendations beside the decision in force (the prioritise stage's reader), read
    once per pack: shared by every paper while the recommendation and decision rows are unchanged."""
    url = session_url(session)
    cycle = find_cycle(session, partnership_id, cycle_name)
    if cycle is None:  # the reader names what to run
        return recommendations_with_decisions(url, partnership_id, cycle_name)
    key = ("recommendations", url, partnership_id, cycle_name, recommendations_token(session, cycle.id))
    return list(shared(key, lambda: tuple(recommendations_with_decisions(url, partnership_id, cycle_name))))


def is_decided(view: RecommendationView | None) -> bool:
    return view is not None and view.outcome is not None


def decided_on(view: RecommendationView) -> dt.date | None:
    return dt.date.fromisoformat(view.decided_on) if view.decided_on else None


def in_force(view: RecommendationView) -> str:
    """The value that stands: the adopted value once decided, else only the recommendation."""
    return view.adopted if is_decided(view) else view.recommendation


def status_text(view: RecommendationView | None) -> str:
    """'Recommended' before a decision; 'Agreed on 10 February 2026 (retain)' after it."""
    if not is_decided(view):
        return "Recommended (for the Board's decision)"
    assert view is not None
    when = decided_on(view)
    word = OUTCOME_WORDS.get(view.outcome or "", view.outcome or "decided").capitalize()
    date = f" on {long_date(when)}" if when else ""
    reason = f": {view.decision_reason}" if view.decision_reason else ""
    return f"{word}{date} ({view.adopted}){reason}"


def all_decided(views: list[RecommendationView]) -> bool:
    return bool(views) and all(is_decided(v) for v in views)


def decision_date(views: list[RecommendationView]) -> str:
    """The latest date on which any of these was decided, as the seeds write dates ('' if none)."""
    dates = [d for d in (decided_on(v) for v in views if is_decided(v)) if d]
    return long_date(max(dates)) if dates else ""
