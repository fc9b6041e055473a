"""Reading what the assessment and earlier cycles stored, and writing this stage's recommendations.

Re-running the stage replaces a cycle's recommendations *in place*, matched by kind and subject, so a
decision the board already recorded stays attached to its recommendation (its id does not change).
Undecided recommendations whose subject no longer appears are deleted; decided ones are kept and marked
stale, because the board's record must never disappear behind its back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from csp import metrics as m
from csp.store import models
from csp.store.db import find_cycle, finish_stage, session_scope, start_stage
from csp.store.db import require_cycle as store_require_cycle
from csp.store.locks import take_stage_lock
from tasks.prioritise.common import STAGE, Adoption, Draft, adopted_value, clean

METRIC_COLUMNS = ("metric", "source_kind", "category", "area_type", "area_code", "area_name", "period",
                  "value", "label", "suppressed")




def require_cycle(session: Session, partnership_id: str, cycle_name: str) -> models.Cycle:
    cycle = store_require_cycle(
        session, partnership_id, cycle_name, f"ingest and assess it first (csp ingest -p "
        f"{partnership_id} -c {cycle_name}, then csp assess -p {partnership_id} -c {cycle_name})")
    return cycle


def load_metrics(url: str, partnership_id: str, cycle_name: str) -> pd.DataFrame:
    """Every metric row of the cycle that this stage can use (no monthly series), as a frame."""
    with session_scope(url) as session:
        cycle = require_cycle(session, partnership_id, cycle_name)
        columns = [getattr(models.Metric, name) for name in METRIC_COLUMNS]
        rows = session.execute(
            select(*columns).where(
                models.Metric.cycle_id == cycle.id,
                models.Metric.area_type.in_((m.PARTNERSHIP, m.AREA)),
                models.Metric.metric.not_in((m.MONTHLY_COUNT, m.ROLLING_MEAN_3M, m.MONTH_OF_YEAR_MEAN)),
            )
        ).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=list(METRIC_COLUMNS))


def load_monthly(url: str, partnership_id: str, cycle_name: str) -> pd.DataFrame:
    """The partnership's monthly counts per source and category (source_kind, category, period, value),
    for testing a theme's change on its months as the assessment tests a category's."""
    with session_scope(url) as session:
        cycle = require_cycle(session, partnership_id, cycle_name)
        rows = session.execute(
            select(models.Metric.source_kind, models.Metric.category, models.Metric.period,
                   models.Metric.value).where(
                models.Metric.cycle_id == cycle.id, models.Metric.area_type == m.PARTNERSHIP,
                models.Metric.metric == m.MONTHLY_COUNT)
        ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["source_kind", "category", "period", "value"])


def known_population_areas(url: str, partnership_id: str) -> dict[str, str]:
    """MSOA code -> name from the stored population, for naming areas when no area metric exists."""
    with session_scope(url) as session:
        rows = session.execute(
            select(models.Population.msoa_code, models.Population.msoa_name)
            .where(models.Population.partnership_id == partnership_id)
            .distinct()
        ).all()
    return {code: name for code, name in rows}


def _earlier_cycle(session: Session, cycle: models.Cycle, kind: str) -> models.Cycle | None:
    """The latest earlier cycle of the partnership that has recommendations of this kind."""
    return session.scalar(
        select(models.Cycle)
        .join(models.Recommendation, models.Recommendation.cycle_id == models.Cycle.id)
        .where(
            models.Cycle.partnership_id == cycle.partnership_id,
            models.Cycle.name < cycle.name,
            models.Recommendation.kind == kind,
        )
        .order_by(models.Cycle.name.desc())
        .limit(1)
    )


def latest_decision(recommendation: models.Recommendation) -> models.Decision | None:
    """The decision in force: one is kept per recommendation, the newest wins if several exist."""
    if not recommendation.decisions:
        return None
    return max(recommendation.decisions, key=lambda d: (d.decided_on, d.recorded_at, d.id))


def earlier_adoptions(url: str, partnership_id: str, cycle_name: str, kind: str) -> dict[str, Adoption]:
    """Per subject, what the board adopted in the latest earlier cycle (decision, else recommendation)."""
    with session_scope(url) as session:
        cycle = require_cycle(session, partnership_id, cycle_name)
        earlier = _earlier_cycle(session, cycle, kind)
        if earlier is None:
            return {}
        recs = session.scalars(
            select(models.Recommendation).where(
                models.Recommendation.cycle_id == earlier.id, models.Recommendation.kind == kind
            )
        ).all()
        return {rec.subject: _adoption(earlier.name, rec) for rec in recs}


def _adoption(cycle_name: str, rec: models.Recommendation) -> Adoption:
    decision = latest_decision(rec)
    outcome = decision.outcome if decision else None
    value = decision.decided_value if decision else None
    return Adoption(
        cycle=cycle_name,
        subject=rec.subject,
        recommended=rec.recommendation,
        adopted=adopted_value(rec.kind, rec.recommendation, outcome, value, rec.reasons),
        source="decision" if decision else "recommendation",
        outcome=outcome,
        meeting=decision.meeting if decision else None,
    )


def fingerprint(url: str, partnership_id: str, cycle_name: str) -> str:
    """A hash of everything the recommendations depend on in the store.

    It goes into the cached tasks' inputs, so new metrics or a new decision in an earlier cycle make
    the stage recompute, while an unchanged store reuses the persisted result.
    """
    digest = hashlib.sha256()
    frame = load_metrics(url, partnership_id, cycle_name)
    ordered = frame.sort_values(list(METRIC_COLUMNS[:7]), na_position="first").astype(object)
    ordered = ordered.where(pd.notna(ordered), None)
    digest.update(json.dumps(ordered.values.tolist(), default=str).encode())
    for kind in ("area", "theme"):
        adoptions = earlier_adoptions(url, partnership_id, cycle_name, kind)
        state = sorted((a.cycle, a.subject, a.recommended, a.adopted) for a in adoptions.values())
        digest.update(json.dumps(state).encode())
    with session_scope(url) as session:
        population = session.execute(
            select(models.Population.msoa_code, models.Population.persons)
            .where(models.Population.partnership_id == partnership_id)
            .order_by(models.Population.lsoa_code)
        ).all()
    digest.update(json.dumps([tuple(row) for row in population]).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class SaveSummary:
    inserted: int
    updated: int
    deleted: int
    kept_stale: int  # decided recommendations whose subject no longer appears
    unchanged: int = 0  # stored as drafted already: left as they are (and their run)

    def message(self) -> str:
        text = (f"{self.inserted} new, {self.updated} updated, {self.deleted} removed "
                f"recommendation(s)")
        if self.unchanged:
            text += f", {self.unchanged} unchanged"
        if self.kept_stale:
            text += f"; {self.kept_stale} decided recommendation(s) no longer drafted were kept (stale)"
        return text


def save_recommendations(url: str, partnership_id: str, cycle_name: str, drafts: list[Draft],
                         run_id: str | None) -> SaveSummary:
    """Replace the cycle's recommendations by kind+subject, keeping recorded decisions attached."""
    counts = {"inserted": 0, "updated": 0, "deleted": 0, "kept_stale": 0, "unchanged": 0}
    with session_scope(url) as session:
        take_stage_lock(session, partnership_id, cycle_name, STAGE)  # one writer at a time
        cycle = require_cycle(session, partnership_id, cycle_name)
        existing = {(rec.kind, rec.subject): rec for rec in session.scalars(
            select(models.Recommendation).where(models.Recommendation.cycle_id == cycle.id))}
        for draft in drafts:
            rec = existing.pop((draft.kind, draft.subject), None)
            if rec is None:
                counts["inserted"] += 1
                rec = models.Recommendation(cycle_id=cycle.id, kind=draft.kind, subject=draft.subject)
                session.add(rec)
            counts["updated" if _fill(rec, draft, run_id) else "unchanged"] += rec.id is not None
        for rec in existing.values():
            if rec.decisions:
                rec.reasons = {**(rec.reasons or {}), "stale": True}
                counts["kept_stale"] += 1
            else:
                session.delete(rec)
                counts["deleted"] += 1
    return SaveSummary(**counts)


def _fill(rec: models.Recommendation, draft: Draft, run_id: str | None) -> bool:
    """Fill the row from the draft; False (and the row untouched, its run kept) when it already says
    exactly this, so an unchanged re-run writes nothing and what reads the rows (the papers) sees no
    change."""
    reasons = clean(draft.reasons)
    if rec.id is not None and latest_decision(rec) is not None:
        # The board decided on what this row said then; keep that visible if the data now say otherwise.
        decided_on = (rec.reasons or {}).get("decided_on") or rec.recommendation
        if decided_on != draft.recommendation:
            reasons["decided_on"] = decided_on
    if rec.id is not None and (rec.subject_name, rec.recommendation, rec.score, rec.reasons or {},
                               rec.reason_text) == (draft.subject_name, draft.recommendation, draft.score,
                                                    reasons, draft.reason_text):
        return False
    rec.subject_name = draft.subject_name
    rec.recommendation = draft.recommendation
    rec.score = draft.score
    rec.reasons = reasons
    rec.reason_text = draft.reason_text
    rec.run_id = run_id
    return True


@dataclass(frozen=True)
class RecommendationView:
    """A recommendation beside the board's decision, as the CLI, the artifact and the papers show it."""

    id: int
    kind: str
    subject: str
    subject_name: str
    recommendation: str
    score: float | None
    reasons: dict[str, Any]
    reason_text: str
    outcome: str | None
    decided_value: str | None
    decision_reason: str | None
    meeting: str | None
    decided_on: str | None
    adopted: str

    def as_row(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "subject": self.subject, "name": self.subject_name,
            "recommendation": self.recommendation, "reason": self.reason_text,
            "decision": self.outcome or "", "adopted": self.adopted if self.outcome else "",
            "meeting": self.meeting or "", "date": self.decided_on or "",
        }


def recommendations_with_decisions(url: str, partnership_id: str, cycle_name: str) -> list[RecommendationView]:
    """Every recommendation of the cycle with the decision in force (areas first, by class then score)."""
    with session_scope(url) as session:
        cycle = require_cycle(session, partnership_id, cycle_name)
        recs = session.scalars(
            select(models.Recommendation).where(models.Recommendation.cycle_id == cycle.id)
        ).all()
        views = [_view(rec) for rec in recs]
    return sorted(views, key=_order)


def _view(rec: models.Recommendation) -> RecommendationView:
    decision = latest_decision(rec)
    return RecommendationView(
        id=rec.id, kind=rec.kind, subject=rec.subject, subject_name=rec.subject_name,
        recommendation=rec.recommendation, score=rec.score, reasons=rec.reasons or {},
        reason_text=rec.reason_text,
        outcome=decision.outcome if decision else None,
        decided_value=decision.decided_value if decision else None,
        decision_reason=decision.reason if decision else None,
        meeting=decision.meeting if decision else None,
        decided_on=decision.decided_on.isoformat() if decision else None,
        adopted=adopted_value(rec.kind, rec.recommendation, decision.outcome if decision else None,
                              decision.decided_value if decision else None, rec.reasons),
    )


_CLASS_ORDER = {"Emerging": 0, "Preventing": 1, "Sustaining": 2, "Discharged": 3, "None": 4,
                "retain": 0, "add": 1, "retire": 2, "monitor": 3, "no data": 4}


def _order(view: RecommendationView) -> tuple:
    return (view.kind != "area", _CLASS_ORDER.get(view.recommendation, 9), -(view.score or 0.0),
            view.subject_name)


def begin_stage(url: str, partnership_id: str, cycle_name: str, flow_run_id: str | None) -> int:
    """Record that the stage started (a StageRun row) and return its id."""
    with session_scope(url) as session:
        cycle = require_cycle(session, partnership_id, cycle_name)
        return start_stage(session, cycle, STAGE, flow_run_id).id


def end_stage(url: str, stage_run_id: int, status: str, message: str | None, digest: str | None = None) -> None:
    """Record how the stage ended; with ``digest`` (a completed run), what the stored recommendations
    were drafted from, so that an unchanged cycle need not run the stage again (tasks/prioritise/up_to_date.py)."""
    with session_scope(url) as session:
        run = session.get(models.StageRun, stage_run_id)
        finish_stage(run, status, message)
        if digest is not None:
            session.get(models.Cycle, run.cycle_id).recommendations_digest = digest


def drafted_from(store_fingerprint: str, code: str, parameters: str) -> str:
    """What the recommendations are a function of: the store (``fingerprint``), the rules' code and the
    stage's parameters."""
    return hashlib.sha256("\n".join((store_fingerprint, code, parameters)).encode()).hexdigest()


def current_counts(url: str, partnership_id: str, cycle_name: str, digest: str) -> dict[str, dict[str, int]] | None:
    """The stored recommendations by kind and recommendation when they were drafted from ``digest``
    (stale ones, kept only for their decisions, left out); None when the stage must run."""
    with session_scope(url) as session:
        cycle = find_cycle(session, partnership_id, cycle_name)
        if cycle is None or cycle.recommendations_digest != digest:
            return None
        rows = session.execute(select(models.Recommendation.kind, models.Recommendation.recommendation,
                                      models.Recommendation.reasons)
                               .where(models.Recommendation.cycle_id == cycle.id)).all()
    counts: dict[str, dict[str, int]] = {"area": {}, "theme": {}}
    for kind, recommendation, reasons in rows:
        if not (reasons or {}).get("stale") and kind in counts:
            counts[kind][recommendation] = counts[kind].get(recommendation, 0) + 1
    return counts if rows else None
