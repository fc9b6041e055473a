"""Findings: short sentences generated from the numbers, each with its evidence attached.

Every finding states at least one number (it is refused otherwise), uses the significance label
rather than the raw percentage to describe change, carries its public text (after suppression) and
the evidence it was written from, and is filed under a theme of ``csp.themes`` (or ``overview``).
Headline findings make the executive summary: the overall volume, significant changes or trends,
where rates are highest, concentration, and gaps in the data that change how the rest is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from csp import metrics as M
from tasks.assess.analysis import Analysis
from tasks.assess.change import DECREASE, FALLING, INCREASE, NOT_COMPARABLE, RECORDING, RISING, TOO_FEW
from tasks.assess.coverage import CURRENT, PREVIOUS
from tasks.assess.levels import table_name as levels_table
from tasks.assess.naming import theme_of
from tasks.assess.params import SOURCE_TITLES
from tasks.assess.rows import ALL, TOTAL, clean
from tasks.assess.stats import describe_change, describe_trend
from tasks.assess.text import Text, clause, count, fmt_pct, plain

SIGNIFICANT = (INCREASE, DECREASE)
MOVING = (RISING, FALLING)


class FindingError(ValueError):
    """A finding that breaks the rules (no number in it)."""


@dataclass(frozen=True)
class Draft:
    """A finding before it is stored."""

    theme: str
    category: str | None
    text: Text
    evidence: dict[str, Any] = field(default_factory=dict)
    headline: bool = False


def jsonable(value: Any) -> Any:
    """Evidence as plain JSON: numbers cleaned (no NaN or inf), tuples as lists."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | bool):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = clean(value)
    return number if number is not None or not isinstance(value, str) else str(value)


def source_title(kind: str) -> str:
    return SOURCE_TITLES.get(kind, kind.replace("_", " "))


def subject(kind: str, category: str) -> str:
    """How a sentence names its subject: the category, or the source for its total."""
    if kind == "police_uk":
        return "All police-recorded crime and ASB" if category == ALL else category
    title = source_title(kind)
    title = title[0].upper() + title[1:]
    if category == ALL:
        return title
    named = category if category[:2].isupper() else category[0].lower() + category[1:]
    return f"{title} ({named})"


def lookup(frame: pd.DataFrame, kind: str, category: str) -> dict[str, Any] | None:
    if frame.empty:
        return None
    hit = frame[(frame["source_kind"] == kind) & (frame["category"] == category)]
    if hit.empty:
        return None
    return {k: (None if isinstance(v, float) and v != v else v) for k, v in hit.iloc[0].to_dict().items()}


def change_figures(change_pct: float | None, previous: float | None, current: float | None) -> str:
    """'+38%', 'up from 0' or '0 in both periods': never a division by zero."""
    if previous:
        return fmt_pct(change_pct, signed=True)
    return "up from 0" if current else "0 in both periods"


def _step_month(a: Analysis, kind: str, category: str) -> str | None:
    steps = [st for st in a.changes.steps.steps if st.source_kind == kind and not st.accepted
             and (category == ALL or st.category == category)]
    return steps[0].month if steps else None


def _excluded_text(excluded: Any) -> str:
    names = list(excluded or ())
    return f", leaving out {', '.join(names)} (a recording change)" if names else ""


def change_text(a: Analysis, kind: str, category: str) -> tuple[Text, dict[str, Any]]:
    """'significantly higher than last year (up 12%, 95% interval +5% to +19%)', or the trend.

    Where no comparison with last year is possible the sentence gives the trend alone; the reason is
    stated once for the whole assessment (``findings_sources.untested_findings``).
    """
    row = TOTAL if category == ALL else category
    table = levels_table(kind)
    change = lookup(a.changes.changes, kind, category) or {}
    trend = lookup(a.changes.trends, kind, category) or {}
    evidence = {"change": change, "trend": trend}
    label = change.get("label", NOT_COMPARABLE)
    if label == RECORDING:
        return plain(describe_change(label, since=_step_month(a, kind, category))), evidence
    if label != NOT_COMPARABLE:
        hidden = a.published.any_hidden([(table, row, CURRENT), (table, row, PREVIOUS)])
        args = (label, change.get("ratio"), change.get("ratio_low"), change.get("ratio_high"),
                change.get("previous"), change.get("current"))
        away = (change.get("p_value") or 1.0) < a.params.significance
        text = Text(describe_change(*args, adjusted_away=away),
                    describe_change(*args, figures=not hidden, adjusted_away=away))
        return text + _excluded_text(change.get("excluded")), evidence
    return trend_text(a, kind, category, trend), evidence


def trend_text(a: Analysis, kind: str, category: str, trend: dict[str, Any]) -> Text:
    """The within-period trend in words; nothing where it could not be tested (said once elsewhere)."""
    if not trend or trend["label"] == TOO_FEW or (trend.get("ratio") is None and trend["label"] != RECORDING):
        return plain("")
    row = TOTAL if category == ALL else category
    hidden = a.published.hidden((levels_table(kind), row, CURRENT))
    args = (trend["label"], trend.get("ratio"), trend.get("ratio_low"), trend.get("ratio_high"),
            trend.get("method"))
    return (plain("; ") + Text(describe_trend(*args), describe_trend(*args, figures=not hidden))
            + _excluded_text(trend.get("excluded")))


def level_sentence(a: Analysis, kind: str, category: str, current: float) -> tuple[Text, dict[str, Any]]:
    """'<Category>: 3,412 in the 12 months to September 2025; <change>.'"""
    cov = a.coverage[kind]
    row = TOTAL if category == ALL else category
    amount = count(a.published, (levels_table(kind), row, CURRENT), current)
    if cov.current_complete:
        when = f" in the {a.params.ending_label}"
    else:
        when = f" in the {len(cov.current)} months with data of the {a.params.ending_label}"
    change, evidence = change_text(a, kind, category)
    if change.raw and not change.raw.startswith(";"):
        change = "; " + change
    text = plain(f"{subject(kind, category)}: ") + amount + when + change + "."
    if a.params.is_illustrative(kind) or cov.illustrative:
        text = text + " (Illustrative data.)"
    evidence.update({"source_kind": kind, "category": category, "current": current,
                     "months_with_data": len(cov.current), "period": a.params.period_label,
                     "metrics": [M.COUNT, M.CHANGE, M.CHANGE_RATIO, M.CHANGE_P_VALUE, M.CHANGE_Q_VALUE,
                                 M.CHANGE_METHOD, M.TREND_RATIO, M.TREND_Q_VALUE, M.TREND_METHOD],
                     "input_file_ids": cov.files_for(a.params.previous_months + a.params.months)})
    return text, evidence


def is_moving(evidence: dict[str, Any]) -> bool:
    """Significant change against last year, or (without one) a rising or falling trend."""
    label = evidence.get("change", {}).get("label")
    if label in SIGNIFICANT:
        return True
    return label in (None, NOT_COMPARABLE) and evidence.get("trend", {}).get("label") in MOVING


def source_findings(a: Analysis, kind: str) -> list[Draft]:
    """The total and every category of one source."""
    table = a.levels.table[a.levels.table["source_kind"] == kind]
    out = []
    total = float(table["current"].sum())
    text, evidence = level_sentence(a, kind, ALL, total)
    theme = theme_of(kind, ALL)
    out.append(Draft(theme, None, text, evidence, headline=kind == "police_uk" or is_moving(evidence)))
    if kind != "police_uk" and len(table) == 1:
        return out
    for row in table.itertuples():
        text, evidence = level_sentence(a, kind, row.category, row.current)
        out.append(Draft(theme_of(kind, row.category), row.category, text, evidence,
                         headline=kind == "police_uk" and is_moving(evidence)))
    return out


def largest_category(a: Analysis) -> list[Draft]:
    """Which police category is the largest, as a share of the total."""
    table = a.levels.table[a.levels.table["source_kind"] == "police_uk"]
    total = float(table["current"].sum())
    if table.empty or total <= 0:
        return []
    top = table.sort_values("current", ascending=False).iloc[0]
    name = levels_table("police_uk")
    hidden = a.published.any_hidden([(name, top["category"], CURRENT), (name, TOTAL, CURRENT)])
    share = clause(f"{100 * top['current'] / total:.0f}%", hidden, "[c]")
    text = (plain(f"{top['category']} was the largest category: ") + share
            + " of all police-recorded crime and ASB in the " + a.params.ending_label + " ("
            + count(a.published, (name, top["category"], CURRENT), top["current"]) + " of "
            + count(a.published, (name, TOTAL, CURRENT), total) + ").")
    evidence = {"category": top["category"], "count": top["current"], "total": total,
                "share_pct": 100 * top["current"] / total, "metrics": [M.SHARE_PCT, M.COUNT]}
    return [Draft(theme_of("police_uk", top["category"]), top["category"], text, evidence, headline=True)]


def _check(draft: Draft) -> None:
    if not re.search(r"\d", draft.text.raw):
        raise FindingError(f"finding without a number: {draft.text.raw!r}")


def build_findings(a: Analysis) -> list[dict[str, Any]]:
    """All findings of the assessment, in reading order, as Finding rows (without cycle and run)."""
    from tasks.assess.findings_places import concentration_findings, place_findings
    from tasks.assess.findings_sources import gap_findings, partner_findings, untested_findings

    drafts: list[Draft] = gap_findings(a) + untested_findings(a)
    if "police_uk" in a.coverage and a.coverage["police_uk"].present:
        drafts += source_findings(a, "police_uk")[:1] + largest_category(a)
        drafts += source_findings(a, "police_uk")[1:]
        drafts += place_findings(a) + concentration_findings(a)
    drafts += partner_findings(a)
    records = []
    for position, draft in enumerate(drafts):
        _check(draft)
        records.append({
            "theme": draft.theme, "category": draft.category, "position": position,
            "headline": draft.headline, "text": draft.text.raw, "public_text": draft.text.public,
            "evidence": jsonable(draft.evidence),
        })
    return records
