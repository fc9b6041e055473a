"""The board's decisions on the recommendations: recorded one at a time or imported from a CSV.

One decision is in force per recommendation; deciding again replaces it. A decision stores what it
adopted (``decided_value``): the recommendation when accepted, the new class or wording when changed,
and the consequence when rejected (see :func:`tasks.prioritise.common.rejected_value`). The next cycle
reads these through :func:`tasks.prioritise.store.earlier_adoptions`.

A CSV import is all-or-nothing: every row is checked first, every problem is reported with its row
(the header is row 1) and column, and nothing is written unless all rows pass; the writes happen in one
transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from csp.config import ConfigError, Partnership
from csp.spreadsheet import restore_cell, safe_row
from csp.store import models
from csp.store.db import session_scope
from tasks.prioritise.common import (
    ACCEPTED,
    AREA,
    AREA_CLASSES,
    CHANGED,
    KINDS,
    OUTCOMES,
    REJECTED,
    THEME_VALUES,
    rejected_value,
)
from tasks.prioritise.store import recommendations_with_decisions, require_cycle

TEMPLATE_COLUMNS = ("kind", "subject", "subject_name", "recommendation", "reason_text",
                    "outcome", "value", "reason", "meeting", "date")
REQUIRED_COLUMNS = ("kind", "subject", "outcome", "value", "reason", "meeting", "date")
_DECISION_COLUMNS = ("outcome", "value", "reason", "meeting", "date")


class DecisionError(ValueError):
    """A decision that cannot be recorded; the message says which field and what was expected."""


class DecisionImportError(DecisionError):
    """A CSV with bad rows: every problem is listed, nothing was recorded."""

    def __init__(self, path: Path, problems: list[str]):
        self.problems = problems
        super().__init__(f"{path}: {len(problems)} problem(s), nothing recorded:\n" + "\n".join(problems))


@dataclass(frozen=True)
class DecisionInput:
    """A decision as typed at the command line or read from a CSV row."""

    subject: str
    outcome: str
    value: str = ""
    reason: str = ""
    meeting: str = ""
    date: str = ""  # YYYY-MM-DD or DD/MM/YYYY; empty: the meeting's date
    kind: str | None = None


@dataclass(frozen=True)
class Checked:
    outcome: str
    decided_value: str
    reason: str
    meeting: str
    decided_on: dt.date


@dataclass(frozen=True)
class Recorded:
    kind: str
    subject: str
    subject_name: str
    recommendation: str
    outcome: str
    decided_value: str
    meeting: str
    decided_on: dt.date
    replaced: bool


# --- checking -----------------------------------------------------------------------------------


def find_recommendation(recs: list[models.Recommendation], subject: str,
                        kind: str | None) -> models.Recommendation:
    """The recommendation named by subject (code/id, or name), case-insensitively."""
    if kind is not None and kind not in KINDS:
        raise DecisionError(f"kind {kind!r}: expected one of {', '.join(KINDS)}")
    wanted = subject.strip().casefold()
    pool = [r for r in recs if kind is None or r.kind == kind]
    hits = [r for r in pool if r.subject.casefold() == wanted] or \
           [r for r in pool if r.subject_name.casefold() == wanted]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        sample = ", ".join(sorted(f"{r.subject} ({r.subject_name})" for r in pool)[:8])
        raise DecisionError(f"subject {subject!r}: no recommendation of this cycle has that code or "
                            f"name; some are: {sample or 'none (run csp priorities recommend first)'}")
    raise DecisionError(f"subject {subject!r} matches {len(hits)} recommendations "
                        f"({', '.join(r.kind for r in hits)}): give the kind")


def check(config: Partnership, rec: models.Recommendation,
          given: DecisionInput) -> tuple[Checked | None, list[tuple[str, str]]]:
    """Check one decision against its recommendation; problems are (column, message) pairs."""
    problems: list[tuple[str, str]] = []
    outcome = given.outcome.strip().lower()
    if outcome not in OUTCOMES:
        problems.append(("outcome", f"{given.outcome!r} is not one of {', '.join(OUTCOMES)}"))
    value = _decided_value(rec, outcome, given.value.strip(), problems)
    reason = given.reason.strip()
    if outcome in (CHANGED, REJECTED) and not reason:
        problems.append(("reason", f"a reason is required when the outcome is {outcome}"))
    meeting_date = _meeting(config, given.meeting.strip(), problems)
    decided_on = _date(given.date.strip(), meeting_date, problems)
    if problems:
        return None, problems
    return Checked(outcome, value, reason, given.meeting.strip(), decided_on), []


def _decided_value(rec: models.Recommendation, outcome: str, value: str,
                   problems: list[tuple[str, str]]) -> str:
    if outcome == ACCEPTED:
        if value and _normal(rec.kind, value) != rec.recommendation:
            problems.append(("value", f"{value!r} differs from the recommendation "
                                      f"{rec.recommendation!r}: use outcome 'changed'"))
        return rec.recommendation
    if outcome == REJECTED:
        if value:
            problems.append(("value", "leave value empty when the outcome is rejected "
                                      "(use 'changed' to adopt something else)"))
        return rejected_value(rec.kind, rec.recommendation, rec.reasons)
    if outcome != CHANGED:
        return ""
    return _changed_value(rec, value, problems)


def _changed_value(rec: models.Recommendation, value: str, problems: list[tuple[str, str]]) -> str:
    if not value:
        allowed = AREA_CLASSES if rec.kind == AREA else THEME_VALUES + ("new wording",)
        problems.append(("value", f"the new value is required when the outcome is changed "
                                  f"(one of {', '.join(allowed)})"))
        return ""
    normal = _normal(rec.kind, value)
    if rec.kind == AREA and normal not in AREA_CLASSES:
        problems.append(("value", f"{value!r} is not an area class; expected one of "
                                  f"{', '.join(AREA_CLASSES)}"))
    elif normal == rec.recommendation:
        problems.append(("value", f"{value!r} is the recommendation itself: use outcome 'accepted'"))
    return normal


def _normal(kind: str, value: str) -> str:
    """Area classes and theme values are matched case-insensitively; theme wording is kept as typed."""
    options = AREA_CLASSES if kind == AREA else THEME_VALUES
    return next((o for o in options if o.casefold() == value.strip().casefold()), value.strip())


def _meeting(config: Partnership, meeting: str, problems: list[tuple[str, str]]) -> dt.date | None:
    if not meeting:
        known = ", ".join(m.id for m in config.meetings) or "none configured"
        problems.append(("meeting", f"the meeting is required (a meeting id from {config.config_file}: "
                                    f"{known})"))
        return None
    try:
        return config.meeting(meeting).date
    except ConfigError as exc:
        problems.append(("meeting", str(exc)))
        return None


def _date(text: str, meeting_date: dt.date | None, problems: list[tuple[str, str]]) -> dt.date:
    if not text:
        return meeting_date or dt.date.today()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    problems.append(("date", f"{text!r} is not a date; expected YYYY-MM-DD or DD/MM/YYYY "
                             "(or leave empty for the meeting's date)"))
    return meeting_date or dt.date.today()


# --- recording ----------------------------------------------------------------------------------


def _cycle_recommendations(session: Session, config: Partnership, cycle: str) -> list[models.Recommendation]:
    cycle_row = require_cycle(session, config.id, cycle)
    return list(session.scalars(
        select(models.Recommendation).where(models.Recommendation.cycle_id == cycle_row.id)
    ))


def _write(session: Session, rec: models.Recommendation, checked: Checked) -> Recorded:
    replaced = bool(rec.decisions)
    session.execute(delete(models.Decision).where(models.Decision.recommendation_id == rec.id))
    session.add(models.Decision(
        recommendation_id=rec.id, outcome=checked.outcome, decided_value=checked.decided_value,
        reason=checked.reason, meeting=checked.meeting, decided_on=checked.decided_on))
    session.flush()
    session.expire(rec, ["decisions"])
    if (rec.reasons or {}).get("decided_on"):  # the decision is now on what the row says
        rec.reasons = {k: v for k, v in rec.reasons.items() if k != "decided_on"}
    return Recorded(rec.kind, rec.subject, rec.subject_name, rec.recommendation, checked.outcome,
                    checked.decided_value, checked.meeting, checked.decided_on, replaced)


def record_decision(url: str, config: Partnership, cycle: str, given: DecisionInput) -> Recorded:
    """Record (or replace) the board's decision on one recommendation."""
    with session_scope(url) as session:
        rec = find_recommendation(_cycle_recommendations(session, config, cycle), given.subject,
                                  given.kind)
        checked, problems = check(config, rec, given)
        if checked is None:
            raise DecisionError("; ".join(f"{column}: {message}" for column, message in problems))
        return _write(session, rec, checked)


# --- CSV ----------------------------------------------------------------------------------------


def export_template(url: str, config: Partnership, cycle: str, path: Path) -> int:
    """Write the CSV a secretary fills in: one row per recommendation, decisions so far pre-filled."""
    views = recommendations_with_decisions(url, config.id, cycle)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=TEMPLATE_COLUMNS)
        writer.writeheader()
        for v in views:
            changed = v.outcome == CHANGED
            writer.writerow(safe_row({  # a reason like "=cmd|..." is written as text, not a formula
                "kind": v.kind, "subject": v.subject, "subject_name": v.subject_name,
                "recommendation": v.recommendation, "reason_text": v.reason_text,
                "outcome": v.outcome or "", "value": v.decided_value if changed else "",
                "reason": v.decision_reason or "", "meeting": v.meeting or "", "date": v.decided_on or "",
            }))
    return len(views)


@dataclass
class ImportSummary:
    recorded: list[Recorded] = field(default_factory=list)
    undecided_rows: list[int] = field(default_factory=list)  # rows left with an empty outcome
    ignored_columns: list[str] = field(default_factory=list)

    def message(self) -> str:
        replaced = sum(r.replaced for r in self.recorded)
        text = f"{len(self.recorded)} decision(s) recorded ({replaced} replacing earlier ones)"
        if self.undecided_rows:
            rows = ", ".join(str(n) for n in self.undecided_rows)
            text += f"; {len(self.undecided_rows)} row(s) left undecided (empty outcome): rows {rows}"
        if self.ignored_columns:
            text += f"; columns ignored: {', '.join(self.ignored_columns)}"
        return text


def _read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip().lower() for h in (reader.fieldnames or [])]
            rows = [{(k or "").strip().lower(): restore_cell(v or "") if not isinstance(v, list)
                     else ",".join(v) for k, v in row.items()} for row in reader]
    except FileNotFoundError:
        raise DecisionError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise DecisionError(f"{path}: not UTF-8 text ({exc}); save the sheet as 'CSV UTF-8'") from None
    return header, rows


def import_decisions(url: str, config: Partnership, cycle: str, path: Path) -> ImportSummary:
    """Record every decision of a filled-in template, or none of them if any row is wrong."""
    header, rows = _read_rows(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise DecisionImportError(path, [f"row 1: missing column(s) {', '.join(missing)}; expected "
                                         f"the columns of the template ({', '.join(TEMPLATE_COLUMNS)})"])
    summary = ImportSummary(ignored_columns=[c for c in header if c not in TEMPLATE_COLUMNS])
    with session_scope(url) as session:
        recs = _cycle_recommendations(session, config, cycle)
        plan, problems = _check_rows(config, recs, rows, summary)
        if problems:
            raise DecisionImportError(path, problems)
        summary.recorded = [_write(session, rec, checked) for rec, checked in plan]
    return summary


def _check_rows(config: Partnership, recs: list[models.Recommendation], rows: list[dict[str, str]],
                summary: ImportSummary):
    plan: list[tuple[models.Recommendation, Checked]] = []
    problems: list[str] = []
    seen: dict[int, int] = {}
    for number, row in enumerate(rows, start=2):
        found = _check_row(config, recs, row, number, problems, summary)
        if found is None:
            continue
        rec, checked = found
        if rec.id in seen:
            problems.append(f"row {number} column 'subject': {rec.subject!r} is also decided in row "
                            f"{seen[rec.id]}; one decision per recommendation")
            continue
        seen[rec.id] = number
        plan.append((rec, checked))
    return plan, problems


def _check_row(config, recs, row: dict[str, str], number: int, problems: list[str],
               summary: ImportSummary):
    def bad(column: str, message: str) -> None:
        problems.append(f"row {number} column '{column}': {message}")

    if not row.get("outcome", "").strip():
        filled = [c for c in ("value", "reason", "meeting", "date") if row.get(c, "").strip()]
        if filled:
            bad("outcome", f"empty, but {', '.join(filled)} filled in; give the outcome "
                           f"({', '.join(OUTCOMES)}) or clear the row")
        elif any(v.strip() for v in row.values()):
            summary.undecided_rows.append(number)
        return None
    kind = row.get("kind", "").strip().lower() or None
    try:
        rec = find_recommendation(recs, row.get("subject", ""), kind)
    except DecisionError as exc:
        bad("kind" if str(exc).startswith("kind") else "subject", str(exc))
        return None
    stated = row.get("recommendation", "").strip()
    if stated and stated != rec.recommendation:
        bad("recommendation", f"the sheet says {stated!r} but the stored recommendation for "
                              f"{rec.subject!r} is now {rec.recommendation!r} (re-run since the export?); "
                              "export the template again")
        return None
    checked, found = check(config, rec, DecisionInput(
        subject=rec.subject, kind=rec.kind, **{c: row.get(c, "") for c in _DECISION_COLUMNS}))
    for column, message in found:
        bad(column, message)
    return None if checked is None else (rec, checked)
