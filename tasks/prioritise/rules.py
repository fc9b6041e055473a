"""Priority areas: the four classes of seed 000 (South Cambs) as transparent, configurable rules.

Each area of the configured unit (metrics with area_type "area") is tested against named rules; every
rule's result is kept with its numbers in ``Recommendation.reasons["rules"]`` and the class follows from
them in a fixed order (see docs/priorities.md):

1. Emerging   - escalating (significant increase, or rising trend) at or above the median rate; or
                multiple issues (top share by rate in at least ``emerging_min_categories`` categories)
                in an area not already being worked on (Emerging or Sustaining last cycle).
2. Preventing - a configured growth area; or predicted vulnerability: escalating from a below-median
                rate.
3. Sustaining - a priority area of the latest earlier cycle still above the threshold (top share by
                total rate, or multiple issues) and no longer escalating.
4. Discharged - a priority area of the latest earlier cycle that has fallen below the threshold.
Otherwise "None": stored too, so every area's rule results are on record and the board can still
promote an area on professional judgement.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import pandas as pd

from csp import metrics as m
from csp.config import ConfigError, Partnership
from tasks.prioritise.common import (
    AREA,
    DISCHARGED,
    EMERGING,
    NO_CLASS,
    PREVENTING,
    PRIORITY_CLASSES,
    SUSTAINING,
    Adoption,
    Draft,
    fmt_p,
    fmt_pct,
    share_label,
)

_LEVELS = (m.RATE_PER_1000, m.COUNT, m.TOP_RATE, m.TOP_RATE_CATEGORIES)
_COMPARISONS = (m.CHANGE, m.CHANGE_PCT, m.CHANGE_P_VALUE, m.TREND_RATIO, m.TREND_P_VALUE)


@dataclass(frozen=True)
class AreaRules:
    """The numbers the rules use: thresholds from configuration, switches from flow parameters."""

    emerging_min_categories: int
    top_rate_share: float
    significance: float
    suppression_min: int
    use_trend: bool = True
    source_kind: str = "police_uk"

    @classmethod
    def from_config(cls, config: Partnership, use_trend: bool = True,
                    source_kind: str = "police_uk") -> AreaRules:
        t = config.thresholds
        return cls(t.emerging_min_categories, t.top_rate_share, t.significance, t.suppression_min,
                   use_trend, source_kind)


@dataclass(frozen=True)
class AreaFacts:
    """What the assessment stored for one area (None where it could not be computed)."""

    code: str
    name: str
    rate: float | None = None
    count: float | None = None
    top_by_total: bool | None = None
    top_categories: int | None = None
    change_label: str | None = None
    change_pct: float | None = None
    change_p: float | None = None
    trend_label: str | None = None
    trend_ratio: float | None = None
    withheld: bool = False  # the assessment marked the count or rate as not for publication


# --- reading the metric frame -------------------------------------------------------------------


def area_rows(frame: pd.DataFrame, source_kind: str) -> pd.DataFrame:
    """The "All"-category area metrics of one source: levels for the current period, comparisons."""
    rows = frame[(frame["area_type"] == m.AREA) & (frame["category"] == "All")
                 & (frame["source_kind"] == source_kind)]
    level = rows["metric"].isin(_LEVELS) & (rows["period"] == m.CURRENT)
    return rows[level | rows["metric"].isin(_COMPARISONS)]


def collect_facts(frame: pd.DataFrame, source_kind: str) -> dict[str, AreaFacts]:
    """Per area (its code, or its name where the assessment had no code), the facts the rules need."""
    rows = area_rows(frame, source_kind)
    keys = rows["area_code"].where(rows["area_code"].notna(), rows["area_name"])
    facts: dict[str, AreaFacts] = {}
    for key, group in rows.groupby(keys, sort=True):
        value = {r.metric: r.value for r in group.itertuples()}
        label = {r.metric: r.label for r in group.itertuples()}
        levels = group[group["metric"].isin((m.COUNT, m.RATE_PER_1000))]
        withheld = bool(levels["suppressed"].fillna(False).astype(bool).any()) \
            if "suppressed" in levels else False
        names = group["area_name"].dropna()
        facts[str(key)] = AreaFacts(
            code=str(key),
            name=str(names.iloc[0]) if len(names) else str(key),
            rate=_num(value.get(m.RATE_PER_1000)),
            count=_num(value.get(m.COUNT)),
            top_by_total=None if _num(value.get(m.TOP_RATE)) is None else value[m.TOP_RATE] >= 1.0,
            top_categories=None if _num(value.get(m.TOP_RATE_CATEGORIES)) is None
            else int(value[m.TOP_RATE_CATEGORIES]),
            change_label=label.get(m.CHANGE),
            change_pct=_num(value.get(m.CHANGE_PCT, value.get(m.CHANGE))),
            change_p=_num(value.get(m.CHANGE_P_VALUE)),
            trend_label=label.get(m.TREND_RATIO),
            trend_ratio=_num(value.get(m.TREND_RATIO)),
            withheld=withheld,
        )
    return facts


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def known_areas(frame: pd.DataFrame, population: dict[str, str]) -> dict[str, str]:
    """Every area code -> name the store knows for this partnership (metrics first, then population)."""
    rows = frame[(frame["area_type"] == m.AREA) & (frame["area_code"].notna() | frame["area_name"].notna())]
    known = dict(population)
    for code, name in zip(rows["area_code"], rows["area_name"], strict=True):
        key = str(code) if pd.notna(code) else str(name)
        known[key] = str(name) if pd.notna(name) else key
    return known


# --- growth areas -------------------------------------------------------------------------------


def resolve_growth_areas(config: Partnership, known: dict[str, str]) -> dict[str, str]:
    """Configured growth areas (names or codes) -> {area code: configured text}; unknown ones refused."""
    by_key = {code.casefold(): code for code in known}
    by_key.update({name.casefold(): code for code, name in known.items()})
    resolved: dict[str, str] = {}
    for value in config.growth_areas:
        code = by_key.get(str(value).strip().casefold())
        if code is None:
            raise ConfigError(_unknown_growth_area(config, value, known))
        resolved[code] = value
    return resolved


def _unknown_growth_area(config: Partnership, value: str, known: dict[str, str]) -> str:
    names = sorted(set(known.values()))
    close = difflib.get_close_matches(str(value), names, n=3, cutoff=0.6)
    examples = close or names[:5]
    if not names:
        hint = "no areas are stored for this partnership yet (run the assessment first)"
    else:
        hint = f"known {config.area_unit.label} areas include {', '.join(repr(n) for n in examples)}"
    return (f"{config.config_file}: key 'growth_areas': unknown area {value!r}; expected an area name "
            f"or code of the configured area unit ({config.area_unit.label}); {hint}")


# --- the rules ----------------------------------------------------------------------------------


def evaluate(facts: AreaFacts, rules: AreaRules, median: float | None, growth: dict[str, str],
             earlier: Adoption | None) -> dict[str, dict[str, Any]]:
    """Every rule's result for one area, with the numbers it looked at."""
    top_n = facts.top_categories
    increase = facts.change_label == m.CHANGE_LABELS[0]
    rising = rules.use_trend and facts.trend_label == m.TREND_LABELS[0]
    escalating = increase or rising
    low_base = None if facts.rate is None or median is None else facts.rate < median
    earlier_class = earlier.adopted if earlier and earlier.adopted in PRIORITY_CLASSES else None
    multiple = top_n is not None and top_n >= rules.emerging_min_categories
    return {
        "multiple_issues": {"fired": multiple, "top_rate_categories": top_n,
                            "min_categories": rules.emerging_min_categories,
                            "top_rate_share": rules.top_rate_share},
        "significant_increase": {"fired": increase, "label": facts.change_label,
                                 "change_pct": facts.change_pct, "p_value": facts.change_p,
                                 "significance": rules.significance},
        "rising_trend": {"fired": rising, "label": facts.trend_label, "monthly_ratio": facts.trend_ratio,
                         "used": rules.use_trend},
        "escalating": {"fired": escalating},
        "low_base": {"fired": bool(low_base), "known": low_base is not None, "rate_per_1000": facts.rate,
                     "median_rate_per_1000": median},
        "growth_area": {"fired": facts.code in growth, "configured_as": growth.get(facts.code)},
        "predicted_vulnerability": {"fired": bool(escalating and low_base)},
        "earlier_priority": {"fired": earlier_class is not None, "class": earlier_class,
                             "cycle": earlier.cycle if earlier else None,
                             "recommended": earlier.recommended if earlier else None,
                             "adopted": earlier.adopted if earlier else None,
                             "source": earlier.source if earlier else None,
                             "outcome": earlier.outcome if earlier else None,
                             "meeting": earlier.meeting if earlier else None},
        "above_threshold": {"fired": bool(facts.top_by_total) or multiple,
                            "top_by_total_rate": facts.top_by_total, "top_rate_categories": top_n,
                            "known": facts.rate is not None},
    }


def choose_class(fired: dict[str, dict[str, Any]]) -> tuple[str, str]:
    """The class and the rule that decided it, in the documented order."""
    f = {name: result["fired"] for name, result in fired.items()}
    earlier = fired["earlier_priority"]["class"]
    worked_on = earlier in (EMERGING, SUSTAINING)
    if f["escalating"] and fired["low_base"]["known"] and not f["low_base"]:
        return EMERGING, "escalating"
    if f["multiple_issues"] and not worked_on:
        return EMERGING, "multiple_issues"
    if f["growth_area"]:
        return PREVENTING, "growth_area"
    if f["predicted_vulnerability"]:
        return PREVENTING, "predicted_vulnerability"
    if earlier is None:
        return NO_CLASS, "no_rule"
    if f["above_threshold"]:
        return SUSTAINING, "above_threshold"
    if not fired["above_threshold"]["known"]:
        return SUSTAINING, "no_current_rate"
    return DISCHARGED, "below_threshold"


def classify_areas(facts: dict[str, AreaFacts], rules: AreaRules, growth: dict[str, str],
                   earlier: dict[str, Adoption], known: dict[str, str]) -> list[Draft]:
    """One draft per area: every area with metrics, plus earlier priority and growth areas without."""
    rates = pd.Series([f.rate for f in facts.values()], dtype="float64")
    median = None if rates.dropna().empty else float(rates.median())
    subjects = dict(facts)
    extra = {c for c, a in earlier.items() if a.adopted in PRIORITY_CLASSES} | set(growth)
    for code in sorted(extra - set(subjects)):
        subjects[code] = AreaFacts(code=code, name=known.get(code, code))
    return [_draft(f, rules, median, growth, earlier.get(code)) for code, f in sorted(subjects.items())]


def _draft(facts: AreaFacts, rules: AreaRules, median: float | None, growth: dict[str, str],
           earlier: Adoption | None) -> Draft:
    fired = evaluate(facts, rules, median, growth, earlier)
    chosen, rule = choose_class(fired)
    reasons = {
        "rules": fired,
        "class_rule": rule,
        "inputs": {"rate_per_1000": facts.rate, "count": facts.count, "source_kind": rules.source_kind,
                   "median_rate_per_1000": median},
    }
    return Draft(AREA, facts.code, facts.name, chosen, facts.rate, reasons,
                 reason_text(chosen, rule, fired, facts, rules))


# --- the sentence -------------------------------------------------------------------------------


def reason_text(chosen: str, rule: str, fired: dict[str, dict[str, Any]], facts: AreaFacts,
                rules: AreaRules) -> str:
    """The reasons as one sentence for the priorities paper (small counts suppressed)."""
    parts = [_because(rule, fired), _also(rule, fired)]
    parts += [c for c in (_multiple(fired, rules), _escalation(fired), _history(fired)) if c]
    parts.append(_rate(facts, rules, fired["low_base"]["median_rate_per_1000"]))
    seen: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    return f"{chosen}: " + "; ".join(seen) + "."


def _because(rule: str, fired: dict[str, dict[str, Any]]) -> str:
    return {
        "escalating": "escalating at or above the median rate",
        "multiple_issues": "multiple issues presenting",
        "growth_area": "a growth area in the partnership's configuration",
        "predicted_vulnerability": "predicted vulnerability: rising from a below-median rate",
        "above_threshold": "a priority area still above the threshold and no longer escalating"
        if not fired["escalating"]["fired"] else "a priority area still above the threshold",
        "no_current_rate": "a priority area with no current rate: carried forward for the board to judge",
        "below_threshold": "a priority area now below the threshold and not escalating",
        "no_rule": "no rule fired",
    }[rule]


def _also(rule: str, fired: dict[str, dict[str, Any]]) -> str:
    """Rules that fired but did not decide the class: the board may weigh them differently."""
    also = []
    if fired["growth_area"]["fired"] and rule != "growth_area":
        also.append("also a growth area in the partnership's configuration")
    if fired["predicted_vulnerability"]["fired"] and rule != "predicted_vulnerability":
        also.append("also rising from a below-median rate")
    return "; ".join(also)


def _multiple(fired: dict[str, dict[str, Any]], rules: AreaRules) -> str:
    n = fired["multiple_issues"]["top_rate_categories"]
    top_total = fired["above_threshold"]["top_by_total_rate"]
    share = share_label(rules.top_rate_share)
    parts = []
    if top_total is not None:
        parts.append(f"{'in' if top_total else 'not in'} the {share} of areas by total rate")
    if n is not None:
        need = rules.emerging_min_categories
        noun = "category" if n == 1 else "categories"
        parts.append(f"in the {share} for {n} {noun} ({need} or more: multiple issues)" if n >= need
                     else f"in the {share} for {n} {noun} (fewer than {need})")
    return "; ".join(parts)


def _escalation(fired: dict[str, dict[str, Any]]) -> str:
    inc, trend = fired["significant_increase"], fired["rising_trend"]
    bits = []
    if inc["fired"]:
        bits.append(f"a significant increase on the previous year ({fmt_pct(inc['change_pct'])}, "
                    f"{fmt_p(inc['p_value'])})")
    if trend["fired"]:
        ratio = trend["monthly_ratio"]
        bits.append("a rising trend within the year" + (f" (x{ratio:.3f} a month)" if ratio else ""))
    if not bits and inc["label"]:
        bits.append(f"{inc['label']} on the previous year")
    return " and ".join(bits)


def _history(fired: dict[str, dict[str, Any]]) -> str:
    e = fired["earlier_priority"]
    if e["cycle"] is None:
        return ""
    how = (f"board decision: {e['outcome']}, {e['meeting']}" if e["source"] == "decision"
           else "recommendation, no decision recorded")
    if e["fired"]:
        article = "an" if e["class"][0] in "AEIOU" else "a"
        return f"{article} {e['class']} priority area in {e['cycle']} ({how})"
    if e["source"] == "decision" and e["recommended"] != e["adopted"]:
        return f"not a priority area after {e['cycle']} (recommended {e['recommended']}; {how})"
    return ""


def _rate(facts: AreaFacts, rules: AreaRules, median: float | None) -> str:
    if facts.rate is None:
        return "no rate per 1,000 residents for this cycle"
    if facts.withheld or (facts.count is not None and 0 < facts.count < rules.suppression_min):
        return f"rate withheld (fewer than {rules.suppression_min} incidents)"
    text = f"{facts.rate:.1f} recorded incidents per 1,000 residents"
    return text + (f" (median {median:.1f})" if median is not None else "")
