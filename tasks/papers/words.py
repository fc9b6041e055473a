"""Plain words for the body of the papers: what a councillor can repeat, from the stored numbers.

The assessment and priorities stages record their evidence as numbers, labels and rule names; an
analyst reads those in the methods appendix. The body of a paper says the same thing in words: "rising
through the year", "significantly higher than the year before", "among the highest rates in the
area". Every number here is a stored metric printed through the version's :class:`Numbers`, so a
figure in a sentence is the figure in the tables.
"""

from __future__ import annotations

from typing import Any

from csp import metrics as M
from csp.themes import THEMES_BY_ID
from tasks.papers.numbers import Numbers


def owned_categories(theme_id: str) -> tuple[str, ...]:
    """The police categories a theme counts (csp/themes.py counts each in one theme only)."""
    theme = THEMES_BY_ID.get(theme_id)
    return theme.police_categories if theme else ()


ORDINALS = ("", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
            "tenth")


def ordinal(rank: Any) -> str:
    try:
        number = int(rank)
    except (TypeError, ValueError):
        return ""
    return ORDINALS[number] if 0 < number < len(ORDINALS) else f"{number}th"


def change_words(label: str, pct: str) -> str:
    """'significantly higher than the year before (+12%)'; '' when there is no comparable year."""
    label = (label or "").lower()
    if "increase" in label and not label.startswith("no"):
        return f"significantly higher than the year before ({pct})"
    if "decrease" in label and not label.startswith("no"):
        return f"significantly lower than the year before ({pct})"
    if label.startswith("no significant"):
        return f"not significantly different from the year before ({pct})"
    return ""


def trend_words(label: str) -> str:
    return {"rising": "rising through the year", "falling": "falling through the year",
            "stable": "steady through the year"}.get((label or "").lower(), "")


def join_names(names: list[str]) -> str:
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """'Shoplifting' -> 'shoplifting' inside a sentence (but keep 'ASB' and proper names)."""
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def category_sentence(mx: Any, nb: Numbers, source: str, category: str, period_ending: str,
                      has_previous: bool, label: str = "") -> str:
    """'Shoplifting: 2,729 in the 12 months to September 2025, rising through the year.'"""
    count = nb.count(mx.value(M.COUNT, source, category), mx.flag(M.COUNT, source, category))
    parts = [f"{label or category}: {count} in the {period_ending}"]
    if has_previous:
        label = mx.label(M.CHANGE, source, category)
        pct = nb.metric(M.CHANGE_PCT, mx.value(M.CHANGE_PCT, source, category),
                        mx.flag(M.CHANGE_PCT, source, category),
                        (mx.value(M.COUNT, source, category),
                         mx.value(M.COUNT, source, category, M.PREVIOUS)))
        if pct != "[c]":
            parts.append(change_words(label, pct))
    if count not in ("<5", "[c]"):
        parts.append(trend_words(mx.label(M.TREND_RATIO, source, category)))
    return ", ".join(p for p in parts if p) + "."


def top_places(mx: Any, category: str, limit: int = 3) -> list[tuple[str, float]]:
    """The areas with the highest rates for a police category, by the assessment's rank: (name, rate)."""
    f = mx.subset(M.RANK_BY_RATE, "police_uk", M.AREA) if hasattr(mx, "subset") else mx.frame[
        (mx.frame.metric == M.RANK_BY_RATE) & (mx.frame.area_type == M.AREA)
        & (mx.frame.source_kind == "police_uk") & (mx.frame.period == M.CURRENT)]
    rows = f[(f.category == category) & f.value.notna()]
    chosen = []
    for row in rows.sort_values("value").head(limit).itertuples(index=False):
        code = row.area_code if isinstance(row.area_code, str) and row.area_code else row.area_name
        rate = mx.value(M.RATE_PER_1000, "police_uk", category, area_type=M.AREA, area_code=code)
        flagged = mx.flag(M.RATE_PER_1000, "police_uk", category, area_type=M.AREA, area_code=code)
        if rate is not None and not flagged:
            chosen.append((str(row.area_name or code), rate))
    return chosen


def places_sentence(mx: Any, nb: Numbers, category: str, area_name: str) -> str:
    """'Rates were highest in A, B and C; A's 265.2 per 1,000 residents is twice Cambridge's 132.3.'"""
    places = top_places(mx, category)
    if not places:
        return ""
    overall = mx.value(M.RATE_PER_1000, "police_uk", category)
    name, rate = places[0]
    text = f"Rates per 1,000 residents were highest in {join_names([p for p, _ in places])}"
    if overall:
        times = rate / overall
        scale = "twice" if 1.9 <= times < 2.1 else f"{times:.1f} times"
        text += (f"; {name}'s rate of {nb.metric(M.RATE_PER_1000, rate)} is {scale} the rate for "
                 f"{area_name} as a whole ({nb.metric(M.RATE_PER_1000, overall)})")
    return text + "."


# --- recommendations --------------------------------------------------------------------------------

THEME_WHY = {
    "long_term_continuity": "a long-term priority since {adopted}, and nothing in the data argues for "
                            "dropping it",
    "data_argue_against": "a long-term priority since {adopted}, but recorded levels fell significantly "
                          "and it is now one of the lighter themes",
    "score_holds": "a current priority that remains one of the heavier themes by volume and harm",
    "low_score": "a current priority that is now one of the lighter themes and did not rise significantly",
    "high_score": "not a current priority, but one of the heaviest themes by volume and harm",
    "below_add": "not a current priority, and not heavy enough by volume and harm to add",
    "priority_without_data": "a current priority on which no data were supplied; kept for continuity and "
                             "the Board's judgement",
    "no_data": "no data were supplied on this theme",
}
THEME_ACTION = {"retain": "Keep", "add": "Add", "retire": "Retire", "monitor": "Keep watching"}


def theme_reason(view: Any, mx: Any, nb: Numbers, period_ending: str) -> str:
    """Why a theme is recommended, in words, with its police-recorded volume from the stored metrics."""
    reasons = view.reasons or {}
    adopted = (reasons.get("priority") or {}).get("adopted") or "an earlier year"
    text = THEME_WHY.get(reasons.get("rule", ""), "").format(adopted=adopted)
    counts = [mx.value(M.COUNT, "police_uk", c) for c in owned_categories(view.subject)]
    total = sum(c for c in counts if c is not None)
    volume, harm = (reasons.get("volume") or {}).get("rank"), (reasons.get("harm") or {}).get("rank")
    if total:
        hidden = nb.public and any(c is not None and 0 < c < nb.minimum for c in counts)
        # a total with a hidden part is rounded, so the hidden count cannot be worked out from it
        printed = f"about {nb.count(round(total, -1))}" if hidden else nb.count(total)
        text += f"{'. ' if text else ''}Police recorded {printed} offences in the {period_ending}"
        if volume and harm:
            largest = "the largest" if int(volume) == 1 else f"the {ordinal(volume)} largest"
            most = "the most harmful" if int(harm) == 1 else f"the {ordinal(harm)} by harm"
            text += f", {largest} theme by number and {most}"
    change = change_words(str((reasons.get("change") or {}).get("label") or ""),
                          _pct((reasons.get("change") or {}).get("change_pct")))
    if change:
        text += f"; {change}"
    return text + "."


def _pct(value: Any) -> str:
    try:
        return f"{float(value):+.0f}%"
    except (TypeError, ValueError):
        return "n/a"


AREA_CLASS_MEANING = {
    "Emerging": "multiple issues presenting or escalating",
    "Preventing": "vulnerability predicted to grow",
    "Sustaining": "work done that needs support to last",
    "Discharged": "no longer needs the partnership's focus",
}


def area_reason(view: Any, nb: Numbers, area_label: str = "area") -> str:
    """Why an area is recommended for a class, in words, from the rules that fired."""
    reasons = view.reasons or {}
    rules = reasons.get("rules") or {}
    inputs = reasons.get("inputs") or {}

    def fired(name: str) -> dict[str, Any]:
        rule = rules.get(name) or {}
        return rule if rule.get("fired") else {}

    parts = []
    issues = (rules.get("multiple_issues") or {}).get("top_rate_categories")
    if issues:
        share = (rules.get("multiple_issues") or {}).get("top_rate_share") or 0.2
        parts.append(f"among the highest {share * 100:g}% of {area_label}s by rate for "
                     f"{int(issues)} crime {'category' if int(issues) == 1 else 'categories'}")
    if fired("significant_increase"):
        parts.append("significantly more incidents than the year before")
    if fired("rising_trend"):
        parts.append("incidents rising through the year")
    if fired("growth_area"):
        parts.append("a growth area")
    earlier = fired("earlier_priority")
    if earlier and earlier.get("cycle"):
        parts.append(f"a priority area in {earlier['cycle']}")
    rate, median = inputs.get("rate_per_1000"), inputs.get("median_rate_per_1000")
    if rate is not None and median:
        relation = "above" if rate >= median else "below"
        parts.append(f"{nb.metric(M.RATE_PER_1000, rate)} incidents per 1,000 residents, {relation} the "
                     f"typical {area_label} ({nb.metric(M.RATE_PER_1000, median)})")
    meaning = AREA_CLASS_MEANING.get(view.recommendation, "")
    lead = f"{view.recommendation} ({meaning})" if meaning else view.recommendation
    return lead + (": " + "; ".join(parts) if parts else "") + "."


def change_basis(mx: Any, source: str = "police_uk", category: str = "All") -> str:
    """Which categories a total's change leaves out, in words: a recording change (a step in how the
    force records a category) is not a change in crime, so the change is measured without it and the
    papers must say so, or the percentage would not follow from the two totals printed beside it."""
    label = mx.label(M.CHANGE_RATIO, source, category) or ""
    if not label.startswith("excluding "):
        return ""
    names = [lower_first(n.strip()) for n in label.removeprefix("excluding ").split(",") if n.strip()]
    return f"; change measured without {join_names(names)}, whose recording changed during the two years"
