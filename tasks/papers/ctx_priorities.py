"""Contexts of the priorities paper and the Community Safety Plan, from recommendations and decisions.

The priorities paper puts each recommendation and its reasons (already suppressed by the priorities
stage) before the board with a decision table; the plan prints what stands after the board's decisions,
or what is recommended while none is recorded. Actions and outcomes of the plan come from
``data/plans/<partnership>.yaml``, written by the lead officers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from csp.config import ConfigError, Partnership
from csp.settings import get_settings
from csp.store import models
from csp.themes import THEMES, THEMES_BY_ID
from tasks.papers import standing as S
from tasks.papers import store_read as R
from tasks.papers import words as W
from tasks.papers.common import Built, Setting, common, long_date, plan_period
from tasks.papers.ctx_assessment import AREA_CLASSES, area_classes, method_rows, stored_metrics
from tasks.papers.ctx_sources import SOURCE_LABELS, is_illustrative
from tasks.prioritise.store import RecommendationView

PRIORITY_VALUES = S.PRIORITY_VALUES
DECIDABLE_THEMES = ("retain", "add", "retire")


def _theme_title(theme_id: str) -> str:
    theme = THEMES_BY_ID.get(theme_id)
    return theme.title if theme else theme_id.replace("_", " ").capitalize()


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _decision_cells(rec: RecommendationView) -> dict[str, str]:
    """The decision table's cells: empty until the board's decision is recorded."""
    if not S.is_decided(rec):
        return {"decision": "", "reason": "", "decided_at": ""}
    when = S.decided_on(rec)
    return {"decision": f"{S.OUTCOME_WORDS.get(rec.outcome or '', rec.outcome)}: {rec.adopted}",
            "reason": rec.decision_reason or "",
            "decided_at": long_date(when) if when else (rec.meeting or "")}


def _ordered_themes(recs: list[RecommendationView]) -> list[RecommendationView]:
    order = [t.id for t in THEMES]
    themes = [r for r in recs if r.kind == "theme"]
    return sorted(themes, key=lambda r: (order.index(r.subject) if r.subject in order else len(order),
                                         r.subject))


def _areas(recs: list[RecommendationView], cls: str, setting: Setting) -> list[dict[str, Any]]:
    chosen = sorted((r for r in recs if r.kind == "area" and r.recommendation == cls),
                    key=lambda r: (-(r.score or 0), r.subject_name))
    return [{"number": i, "name": r.subject_name, "code": r.subject if r.subject != r.subject_name else "",
             "reasons": W.area_reason(r, setting.numbers, setting.config.area_unit.label),
             "score": _score(r.score), "status": S.status_text(r)} for i, r in enumerate(chosen, start=1)]


def based_on(config: Partnership, rec: RecommendationView) -> str:
    """The real sources a theme's recommendation rests on, and whether illustrative data also fed it."""
    series = [*(rec.reasons or {}).get("series", []), *(rec.reasons or {}).get("supporting", [])]
    kinds = sorted({str(s.get("source_kind")) for s in series if isinstance(s, dict)})
    real = [SOURCE_LABELS.get(k, k) for k in kinds if not is_illustrative(config, k)]
    text = ", ".join(real) if real else "No real data source"
    if any(is_illustrative(config, k) for k in kinds):
        text += "; illustrative partner data is not used in this paper"
    return text


def build_priorities(session: Session, setting: Setting) -> Built:
    cycle = R.require_cycle(session, setting.config.id, setting.period.name)
    recs = S.recommendations(session, setting.config.id, setting.period.name)
    mx = stored_metrics(session, cycle.id)
    themes = _ordered_themes(recs)
    decidable = [r for r in themes if r.recommendation in DECIDABLE_THEMES]
    decidable += sorted((r for r in recs if r.kind == "area" and r.recommendation in AREA_CLASSES),
                        key=lambda r: (AREA_CLASSES.index(r.recommendation), r.subject_name))
    context = {
        **common(setting),
        **decision_state(recs),
        "has_recommendations": bool(recs),
        "current_priorities": [
            {"number": i, "title": p.title, "theme": _theme_title(p.theme),
             "lead_officer": p.lead_officer or "n/a", "adopted": p.adopted}
            for i, p in enumerate(setting.config.priorities, start=1)],
        "theme_recommendations": [
            {"number": i, "subject": r.subject, "title": r.subject_name,
             "recommendation": r.recommendation.capitalize(),
             "reasons": W.capitalise(W.theme_reason(r, mx, setting.numbers, setting.period.ending_label))
             if not mx.frame.empty else "", "based_on": based_on(setting.config, r),
             "score": _score(r.score), "status": S.status_text(r)} for i, r in enumerate(themes, start=1)],
        "method_scores": method_rows(recs),
        **{cls.lower(): _areas(recs, cls, setting) for cls in AREA_CLASSES},
        "decisions": [
            {"number": i, "subject": r.subject_name,
             "recommendation": r.recommendation.capitalize() if r.kind == "theme" else r.recommendation,
             **_decision_cells(r)} for i, r in enumerate(decidable, start=1)],
    }
    return Built(context, (), tuple(sorted({str(run) for run in _runs(session, cycle.id)})))


def _runs(session: Session, cycle_id: int) -> list[str]:
    return [r for r in session.scalars(select(models.Recommendation.run_id)
                                       .where(models.Recommendation.cycle_id == cycle_id)
                                       .distinct()) if r]


# --- Community Safety Plan ------------------------------------------------------------------------


def plan_entries(config: Partnership, folder: Path | None = None) -> dict[str, dict[str, Any]]:
    """Statement, actions and outcomes per priority theme from data/plans/<partnership>.yaml."""
    path = (folder or get_settings().data_dir / "plans") / f"{config.id}.yaml"
    if not path.exists():
        return {}
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    entries = content.get("priorities", {}) if isinstance(content, dict) else None
    if not isinstance(entries, dict):
        raise ConfigError(f"{path}: key 'priorities': expected a mapping of theme id to actions")
    for theme, entry in entries.items():
        if not isinstance(entry, dict) or set(entry) - {"statement", "actions", "outcomes"}:
            raise ConfigError(f"{path}: key 'priorities.{theme}': expected statement, actions, outcomes")
    return entries


def _standing(rec: RecommendationView | None, meeting_date: str) -> tuple[str, str, bool]:
    """(value, status words, proposed?) of a theme for the plan year.

    Decided: the adopted value, "Agreed on <date>". Not decided: the recommendation, worded as a
    proposal for the meeting; no recommendation at all: the configured priority stands as it is.
    """
    if rec is None:
        return "retain", "", False
    if S.is_decided(rec):
        return S.in_force(rec), S.status_text(rec), False
    return rec.recommendation, f"Proposed: recommended to {rec.recommendation}, for the Board's decision " \
        f"on {meeting_date}", True


def plan_priorities(config: Partnership, recs: list[RecommendationView], entries: dict[str, dict[str, Any]],
                    meeting_date: str = "the meeting") -> list[dict[str, Any]]:
    """Configured priorities that stand (or are proposed to), then added themes, each with its actions.

    A row is ``proposed`` until the board's decision on it is recorded; papers must say so.
    """
    by_theme = {r.subject: r for r in recs if r.kind == "theme"}
    rows: list[dict[str, Any]] = []
    for priority in config.priorities:
        value, how, proposed = _standing(by_theme.get(priority.theme), meeting_date)
        if value not in PRIORITY_VALUES:
            continue
        rows.append({"title": priority.title, "theme": priority.theme,
                     "lead_officer": priority.lead_officer or "to be confirmed",
                     "adopted": priority.adopted, "proposed": proposed, "new": False,
                     "status": f"Current priority, adopted {priority.adopted}" + (f". {how}" if how else "")})
    configured = {p.theme for p in config.priorities}
    for rec in _ordered_themes(recs):
        value, how, proposed = _standing(rec, meeting_date)
        if rec.subject in configured or value != "add":
            continue
        rows.append({"title": rec.subject_name, "theme": rec.subject, "lead_officer": "to be confirmed",
                     "adopted": "", "proposed": proposed, "new": True, "status": f"New priority. {how}"})
    result = []
    for number, row in enumerate(rows, start=1):
        entry = entries.get(row.pop("theme"), {})
        result.append({"number": number, **row, "statement": str(entry.get("statement") or ""),
                       "actions": [str(a) for a in entry.get("actions") or []],
                       "outcomes": [str(o) for o in entry.get("outcomes") or []]})
    return result


def decision_state(recs: list[RecommendationView]) -> dict[str, Any]:
    """Whether the board has decided the themes, and when: the plan and the terms of reference say so."""
    themes = [r for r in recs if r.kind == "theme" and r.recommendation in DECIDABLE_THEMES]
    return {"decided": S.all_decided(themes), "decided_date": S.decision_date(themes)}


def people(persons: list[Any]) -> list[dict[str, str]]:
    """Members as the seeds list them: 'Debbie Kaye (Chair)'; a role never repeats the name."""
    rows = []
    for p in persons:
        role = getattr(p, "role", "") or ""
        label = p.name if not role or role.lower() in p.name.lower() else f"{p.name} ({role})"
        rows.append({"name": p.name, "organisation": p.organisation, "role": role, "label": label})
    return rows


def build_plan(session: Session, setting: Setting) -> Built:
    R.require_cycle(session, setting.config.id, setting.period.name)
    recs = S.recommendations(session, setting.config.id, setting.period.name)
    config = setting.config
    context = {
        **common(setting),
        **decision_state(recs),
        "plan_period": plan_period(setting.meeting),
        "priorities": plan_priorities(config, recs, plan_entries(config), long_date(setting.meeting.date)),
        "priority_areas": area_classes(recs),
        "board": people(config.board),
        "members": people(config.members),
    }
    return Built(context, (), ())
