"""The five things a board member should take from the assessment, each a sentence with the number,
what it is compared with and what it means.

Built from the stored metrics (real sources only) and the recommendations, in the version's number
formatting, so the figures are those of the tables further on. A missing comparison is said once,
here and in the introduction, not on every line.
"""

from __future__ import annotations

from typing import Any

from csp import metrics as M
from tasks.papers import standing as S
from tasks.papers import words as W
from tasks.papers.numbers import Numbers

MAX_FINDINGS = 5


def has_previous(mx: Any) -> bool:
    """Whether the store holds a comparable previous year for police-recorded crime."""
    return mx.value(M.COUNT, "police_uk", "All", M.PREVIOUS) is not None


def _total(mx: Any, nb: Numbers, area: str, period_ending: str, previous: bool) -> str:
    count = nb.count(mx.value(M.COUNT, "police_uk"), mx.flag(M.COUNT, "police_uk"))
    text = f"Police recorded {count} crimes and anti-social behaviour incidents in {area} in the {period_ending}"
    if previous:
        pct = nb.metric(M.CHANGE_PCT, mx.value(M.CHANGE_PCT, "police_uk"), mx.flag(M.CHANGE_PCT, "police_uk"))
        change = W.change_words(mx.label(M.CHANGE, "police_uk"), pct)
        return f"{text}, {change}{W.change_basis(mx)}." if change else f"{text}."
    trend = W.trend_words(mx.label(M.TREND_RATIO, "police_uk"))
    return (f"{text}; {trend}. There is no comparable previous year in the data, so this assessment "
            "describes the year and its trend rather than the change on last year.") if trend else \
        f"{text}. There is no comparable previous year in the data, so change on last year is not measured."


def _largest(mx: Any, nb: Numbers, total: float | None) -> str:
    counts = [(mx.value(M.COUNT, "police_uk", c), c) for c in mx.categories("police_uk")]
    counts = sorted(((v, c) for v, c in counts if v is not None), reverse=True)[:2]
    if len(counts) < 2 or not total:
        return ""
    parts = [f"{W.lower_first(c)} ({nb.count(v)}, {v / total * 100:.0f}%)" for v, c in counts]
    return (f"The largest categories were {parts[0]} and {parts[1]}: together "
            f"{(counts[0][0] + counts[1][0]) / total * 100:.0f}% of all incidents.")


def _movers(mx: Any, previous: bool) -> str:
    """Categories that changed beyond chance on last year, else those rising through the year."""
    categories = mx.categories("police_uk")
    if previous:
        up = [c for c in categories if mx.label(M.CHANGE, "police_uk", c) == "significant increase"]
        down = [c for c in categories if mx.label(M.CHANGE, "police_uk", c) == "significant decrease"]
        parts = []
        if up:
            parts.append(f"significantly higher than last year: {W.join_names([W.lower_first(c) for c in up[:4]])}")
        if down:
            parts.append(f"significantly lower: {W.join_names([W.lower_first(c) for c in down[:4]])}")
        return (parts[0][:1].upper() + "; ".join(parts)[1:] + ".") if parts else \
            "No category changed on last year by more than chance would explain."
    rising = sorted((c for c in categories if mx.label(M.TREND_RATIO, "police_uk", c) == "rising"),
                    key=lambda c: -(mx.value(M.COUNT, "police_uk", c) or 0))
    if not rising:
        return ""
    return (f"{len(rising)} of {len(categories)} categories were rising through the year, led by "
            f"{W.join_names([W.lower_first(c) for c in rising[:3]])}; these are the ones to watch.")


def _recommended(recs: list[Any]) -> str:
    themes = [r for r in recs if r.kind == "theme" and r.recommendation in ("retain", "add", "retire")]
    emerging = [r.subject_name for r in recs if r.kind == "area" and S.in_force(r) == "Emerging"]
    if not themes and not emerging:
        return ""
    decided = S.all_decided(themes) if themes else False
    verb = f"The Board agreed on {S.decision_date(themes)}" if decided else "The assessment recommends"
    kept = [r.subject_name for r in themes if S.in_force(r) == "retain"]
    added = [r.subject_name for r in themes if S.in_force(r) == "add"]
    parts = []
    if kept:
        parts.append(f"keeping the {len(kept)} current priorities" if len(kept) > 1 else f"keeping {kept[0]}")
    if added:
        parts.append(f"adding {W.join_names(added)}")
    text = f"{verb} {' and '.join(parts)}" if parts else verb
    if emerging:
        text += (f"; {W.join_names(emerging[:3])} {'is' if len(emerging) == 1 else 'are'} "
                 f"{'agreed' if decided else 'proposed'} as Emerging priority "
                 f"{'area' if len(emerging) == 1 else 'areas'}")
        if len(emerging) > 3:
            text += f", with {len(emerging) - 3} more"
    return text + "."


def key_findings(mx: Any, nb: Numbers, recs: list[Any], area: str, period_ending: str) -> list[str]:
    """At most five sentences, most important first."""
    previous = has_previous(mx)
    found = [_total(mx, nb, area, period_ending, previous),
             _largest(mx, nb, mx.value(M.COUNT, "police_uk")),
             _movers(mx, previous),
             W.places_sentence(mx, nb, "All", area),
             _recommended(recs)]
    return [f for f in found if f][:MAX_FINDINGS]
