"""Priority areas: the four classes of seed 000 (South Cambs) as transparent, configurable rules,
and a short, ranked list.

Each area of the configured unit (metrics with area_type "area") is tested against named rules; every
rule's result is kept with its numbers in ``Recommendation.reasons["rules"]`` and the class follows from
them in a fixed order (see docs/priorities.md):

0. An area the board discharged returns only on year-on-year evidence (a significant increase on
   last year), never on a within-year trend or a ranking alone.
1. Preventing - a configured growth area, or an escalating area whose rise comes from new homes (at
   least ``thresholds.new_homes_min_share`` of its residents in LSOAs created since 2011).
2. Emerging   - escalating (significant increase, or rising trend) at or above the median rate; or
                multiple issues (top share by rate in at least ``emerging_min_categories`` categories)
                in an area not already being worked on (Emerging or Sustaining last cycle).
3. Preventing - predicted vulnerability: escalating from a below-median rate.
4. Sustaining - a priority area of the latest earlier cycle still above the threshold (top share by
                total rate, or multiple issues) and no longer escalating.
5. Discharged - a priority area of the latest earlier cycle that has fallen below the threshold.
Otherwise "None".

Then the list is capped: at most ``priority_area_share`` of the areas (rounded down) and no more than
``priority_area_max`` are recommended (Emerging, Preventing, Sustaining). Candidates are ranked within
their class (year-on-year evidence, then multiple issues, then rate) and the classes take turns, best
first; those beyond the cap are stored as "None" with the class they would have had and their rank.
Every area is stored with its rank.
"""

from __future__ import annotations

import difflib
import math
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
    share_label,
)

_LEVELS = (m.RATE_PER_1000, m.COUNT, m.TOP_RATE, m.TOP_RATE_CATEGORIES, m.NEW_HOMES_SHARE)
_COMPARISONS = (m.CHANGE, m.CHANGE_PCT, m.CHANGE_P_VALUE, m.CHANGE_Q_VALUE, m.CHANGE_RATIO,
                m.CHANGE_RATIO_LOW, m.CHANGE_RATIO_HIGH, m.TREND_RATIO, m.TREND_P_VALUE,
                m.TREND_RATIO_LOW, m.TREND_RATIO_HIGH, m.TREND_METHOD)
INCREASE = m.CHANGE_LABELS[0]
RISING = m.TREND_LABELS[0]
CLASS_ORDER = {EMERGING: 0, PREVENTING: 1, SUSTAINING: 2}


@dataclass(frozen=True)
class AreaRules:
    """The numbers the rules use: thresholds from configuration, switches from flow parameters."""

    emerging_min_categories: int
    top_rate_share: float
    significance: float
    suppression_min: int
    use_trend: bool = True
    source_kind: str = "police_uk"
    cap_share: float = 0.2
    cap_max: int = 5
    new_homes_min_share: float = 0.2
    area_label: str = "MSOA"

    @classmethod
    def from_config(cls, config: Partnership, use_trend: bool = True,
                    source_kind: str = "police_uk") -> AreaRules:
        t = config.thresholds
        return cls(t.emerging_min_categories, t.top_rate_share, t.significance, t.suppression_min,
                   use_trend, source_kind, t.priority_area_share, t.priority_area_max,
                   t.new_homes_min_share, config.area_unit.label)

    def cap(self, n_areas: int) -> int:
        """At most a fifth of the areas (rounded down, never up), and no more than the maximum."""
        return min(self.cap_max, math.floor(self.cap_share * n_areas + 1e-9))


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
    change_q: float | None = None
    change_ratio: float | None = None
    change_low: float | None = None
    change_high: float | None = None
    trend_low: float | None = None
    trend_high: float | None = None
    trend_method: str | None = None
    new_homes_share: float | None = None
    top_category_ranks: tuple[tuple[str, int], ...] = ()  # categories in the top share, with rank


# --- reading the metric frame -------------------------------------------------------------------


def area_rows(frame: pd.DataFrame, source_kind: str) -> pd.DataFrame:
    """The "All"-category area metrics of one source: levels for the current period, comparisons."""
    rows = frame[(frame["area_type"] == m.AREA) & (frame["category"] == "All")
                 & (frame["source_kind"].isin((source_kind, "all")) | (frame["metric"] == m.NEW_HOMES_SHARE))]
    level = rows["metric"].isin(_LEVELS) & (rows["period"] == m.CURRENT)
    return rows[level | rows["metric"].isin(_COMPARISONS)]


def _top_category_ranks(frame: pd.DataFrame, source_kind: str) -> dict[str, tuple[tuple[str, int], ...]]:
    """Per area key, the categories where it is in the top share by rate, with its rank in each."""
    rows = frame[(frame["area_type"] == m.AREA) & (frame["category"] != "All")
                 & (frame["source_kind"] == source_kind) & (frame["period"] == m.CURRENT)
                 & frame["metric"].isin((m.TOP_RATE, m.RANK_BY_RATE))]
    if rows.empty:
        return {}
    keys = rows["area_code"].where(rows["area_code"].notna(), rows["area_name"]).astype(str)
    wide = rows.assign(key=keys).pivot_table(index=["key", "category"], columns="metric", values="value",
                                             aggfunc="first")
    if m.TOP_RATE not in wide or m.RANK_BY_RATE not in wide:
        return {}
    top = wide[wide[m.TOP_RATE] >= 1.0].sort_values(m.RANK_BY_RATE)
    return {str(key): tuple((str(cat), int(rank)) for (_, cat), rank in group[m.RANK_BY_RATE].items())
            for key, group in top.groupby(level=0)}


def collect_facts(frame: pd.DataFrame, source_kind: str) -> dict[str, AreaFacts]:
    """Per area (its code, or its name where the assessment had no code), the facts the rules need."""
    rows = area_rows(frame, source_kind)
    keys = rows["area_code"].where(rows["area_code"].notna(), rows["area_name"])
    ranks = _top_category_ranks(frame, source_kind)
    facts: dict[str, AreaFacts] = {}
    for key, group in rows.groupby(keys, sort=True):
        if not (group["source_kind"] == source_kind).any():
            continue
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
            change_q=_num(value.get(m.CHANGE_Q_VALUE)),
            change_ratio=_num(value.get(m.CHANGE_RATIO)),
            change_low=_num(value.get(m.CHANGE_RATIO_LOW)),
            change_high=_num(value.get(m.CHANGE_RATIO_HIGH)),
            trend_low=_num(value.get(m.TREND_RATIO_LOW)),
            trend_high=_num(value.get(m.TREND_RATIO_HIGH)),
            trend_method=label.get(m.TREND_METHOD),
            new_homes_share=_num(value.get(m.NEW_HOMES_SHARE)),
            top_category_ranks=ranks.get(str(key), ()),
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
    increase = facts.change_label == INCREASE
    rising = rules.use_trend and facts.trend_label == RISING
    escalating = increase or rising
    low_base = None if facts.rate is None or median is None else facts.rate < median
    earlier_class = earlier.adopted if earlier and earlier.adopted in PRIORITY_CLASSES else None
    discharged = bool(earlier and earlier.adopted == DISCHARGED)
    multiple = top_n is not None and top_n >= rules.emerging_min_categories
    new_homes = facts.new_homes_share is not None and facts.new_homes_share >= rules.new_homes_min_share
    return {
        "multiple_issues": {"fired": multiple, "top_rate_categories": top_n,
                            "categories": [c for c, _ in facts.top_category_ranks],
                            "min_categories": rules.emerging_min_categories,
                            "top_rate_share": rules.top_rate_share},
        "significant_increase": {"fired": increase, "label": facts.change_label,
                                 "change_pct": facts.change_pct, "rate_ratio": facts.change_ratio,
                                 "interval": [facts.change_low, facts.change_high],
                                 "p_value": facts.change_p, "q_value": facts.change_q,
                                 "significance": rules.significance},
        "rising_trend": {"fired": rising, "label": facts.trend_label, "monthly_ratio": facts.trend_ratio,
                         "interval": [facts.trend_low, facts.trend_high], "used": rules.use_trend},
        "escalating": {"fired": escalating},
        "low_base": {"fired": bool(low_base), "known": low_base is not None, "rate_per_1000": facts.rate,
                     "median_rate_per_1000": median},
        "growth_area": {"fired": facts.code in growth, "configured_as": growth.get(facts.code)},
        "new_homes": {"fired": bool(new_homes and escalating), "share": facts.new_homes_share,
                      "min_share": rules.new_homes_min_share},
        "predicted_vulnerability": {"fired": bool(escalating and low_base)},
        "discharged_return": {"fired": discharged, "year_on_year_increase": increase},
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
    if f["discharged_return"] and not f["significant_increase"]:
        return NO_CLASS, "discharged_needs_year_on_year"
    if f["growth_area"]:
        return PREVENTING, "growth_area"
    if f["new_homes"]:
        return PREVENTING, "new_homes"
    if f["escalating"] and fired["low_base"]["known"] and not f["low_base"]:
        return EMERGING, "escalating"
    if f["multiple_issues"] and not worked_on:
        return EMERGING, "multiple_issues"
    if f["predicted_vulnerability"]:
        return PREVENTING, "predicted_vulnerability"
    if earlier is None:
        return NO_CLASS, "no_rule"
    if f["above_threshold"]:
        return SUSTAINING, "above_threshold"
    if not fired["above_threshold"]["known"]:
        return SUSTAINING, "no_current_rate"
    return DISCHARGED, "below_threshold"


def _strength(draft: Draft) -> tuple:
    """Ranking key of a candidate: class, year-on-year evidence, multiple issues, rate (best first)."""
    rules = draft.reasons["rules"]
    return (CLASS_ORDER[draft.recommendation], not rules["significant_increase"]["fired"],
            -(rules["multiple_issues"]["top_rate_categories"] or 0), -(draft.score or 0.0), draft.subject_name)


def classify_areas(facts: dict[str, AreaFacts], rules: AreaRules, growth: dict[str, str],
                   earlier: dict[str, Adoption], known: dict[str, str]) -> list[Draft]:
    """One draft per area, ranked and capped: every area with metrics, plus earlier priority and growth
    areas without."""
    rates = pd.Series({code: f.rate for code, f in facts.items()}, dtype="float64")
    median = None if rates.dropna().empty else float(rates.median())
    rate_ranks = rates.dropna().rank(ascending=False, method="min")
    subjects = dict(facts)
    extra = {c for c, a in earlier.items() if a.adopted in PRIORITY_CLASSES} | set(growth)
    for code in sorted(extra - set(subjects)):
        subjects[code] = AreaFacts(code=code, name=known.get(code, code))
    context = {"median": median, "rated": int(rate_ranks.size), "ranks": rate_ranks.to_dict(),
               "areas": len(facts)}
    drafts = [_draft(f, rules, growth, earlier.get(code), context) for code, f in sorted(subjects.items())]
    return _cap(drafts, rules, len(facts))


def _ranked_candidates(candidates: list[Draft]) -> list[Draft]:
    """Best first, taking the classes in turn (Emerging, Preventing, Sustaining), so that a short list
    holds every class the rules found, as the seeds' lists do; within a class by _strength."""
    by_class: dict[str, list[Draft]] = {}
    for draft in sorted(candidates, key=_strength):
        by_class.setdefault(draft.recommendation, []).append(draft)
    queues = [by_class[c] for c in (EMERGING, PREVENTING, SUSTAINING) if c in by_class]
    out = []
    while any(queues):
        for queue in queues:
            if queue:
                out.append(queue.pop(0))
    return out


def _cap(drafts: list[Draft], rules: AreaRules, n_areas: int) -> list[Draft]:
    """Rank every area; keep at most the cap as recommended, the rest as None with their rule results."""
    cap = rules.cap(n_areas)
    candidates = _ranked_candidates([d for d in drafts if d.recommendation in PRIORITY_CLASSES])
    others = sorted((d for d in drafts if d.recommendation not in PRIORITY_CLASSES),
                    key=lambda d: (d.recommendation != DISCHARGED, -(d.score or -1.0), d.subject_name))
    limit = {"cap": cap, "share": rules.cap_share, "max": rules.cap_max, "areas": n_areas,
             "candidates": len(candidates)}
    out = []
    for rank, draft in enumerate(candidates + others, start=1):
        reasons = {**draft.reasons, "rank": rank, "cap": limit}
        if rank <= len(candidates) and rank > cap:
            reasons.update({"would_be": draft.recommendation, "class_rule": "over_cap",
                            "decided_by": draft.reasons["class_rule"]})
            text = _over_cap_text(draft, rank, limit, rules)
            draft = Draft(draft.kind, draft.subject, draft.subject_name, NO_CLASS, draft.score, reasons, text)
        else:
            draft = Draft(draft.kind, draft.subject, draft.subject_name, draft.recommendation, draft.score,
                          reasons, draft.reason_text)
        out.append(draft)
    return out


def _draft(facts: AreaFacts, rules: AreaRules, growth: dict[str, str], earlier: Adoption | None,
           context: dict[str, Any]) -> Draft:
    fired = evaluate(facts, rules, context["median"], growth, earlier)
    chosen, rule = choose_class(fired)
    rate_rank = context["ranks"].get(facts.code)
    tied = [c for c, r in context["ranks"].items() if r == rate_rank and c != facts.code] if rate_rank else []
    reasons = {
        "rules": fired,
        "class_rule": rule,
        "inputs": {"rate_per_1000": facts.rate, "count": facts.count, "source_kind": rules.source_kind,
                   "median_rate_per_1000": context["median"],
                   "rate_rank": None if rate_rank is None else int(rate_rank), "rated_areas": context["rated"],
                   "tied_with": tied, "new_homes_share": facts.new_homes_share},
    }
    return Draft(AREA, facts.code, facts.name, chosen, facts.rate, reasons,
                 reason_text(chosen, rule, fired, facts, rules, reasons["inputs"]))


# --- the sentence -------------------------------------------------------------------------------


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _highest(rank: int) -> str:
    return "highest" if rank == 1 else f"{ordinal(rank)} highest"


def _small(facts: AreaFacts, rules: AreaRules) -> bool:
    return facts.withheld or (facts.count is not None and 0 < facts.count < rules.suppression_min)


def reason_text(chosen: str, rule: str, fired: dict[str, dict[str, Any]], facts: AreaFacts,
                rules: AreaRules, inputs: dict[str, Any]) -> str:
    """The reasons in words for the priorities paper (small counts suppressed, no scores or ratios)."""
    parts = [_because(rule, fired, facts, rules), _rate(facts, rules, inputs), _categories(facts, rules),
             _change(fired, facts, rules), _also(rule, fired, rules), _history(fired)]
    seen: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    text = "; ".join(seen)
    return f"{chosen if chosen != NO_CLASS else 'Not a priority area'}: {text}."


def _because(rule: str, fired: dict[str, dict[str, Any]], facts: AreaFacts, rules: AreaRules) -> str:
    e = fired["earlier_priority"]
    since = f" in {e['cycle']}" if e["cycle"] else ""
    share = share_label(rules.top_rate_share)
    homes = fired["new_homes"]["share"]
    return {
        "growth_area": "a growth area named in the partnership's configuration: new communities to "
                       "protect",
        "new_homes": f"rising where {homes * 100 if homes is not None else 0:.0f}% of residents live in "
                     "homes built since 2011: growth to get ahead of",
        "escalating": "",
        "multiple_issues": "",
        "predicted_vulnerability": "rising from a rate below the district's median: vulnerability "
                                   "predicted",
        "above_threshold": f"a priority area{since}, still in the {share} of areas by rate",
        "no_current_rate": f"a priority area{since} with no rate this cycle: carried forward for the "
                           "board to judge",
        "below_threshold": f"a priority area{since}, now outside the {share} of areas by rate and not "
                           "rising: no longer needs the focus",
        "discharged_needs_year_on_year": f"discharged{since}; a discharged area returns only on a "
                                         "significant rise on last year, and there is none",
        "no_rule": "",
    }[rule]


def _rate(facts: AreaFacts, rules: AreaRules, inputs: dict[str, Any]) -> str:
    if facts.rate is None:
        return "no rate per 1,000 residents for this cycle"
    if _small(facts, rules):
        return f"rate withheld (fewer than {rules.suppression_min} incidents)"
    rank, n = inputs["rate_rank"], inputs["rated_areas"]
    tied = " (tied)" if inputs["tied_with"] else ""
    median = inputs["median_rate_per_1000"]
    return (f"{_highest(rank)}{tied} rate of crime and ASB of the {n} {rules.area_label}s in the district "
            f"({facts.rate:.1f} per 1,000 residents; median {median:.1f})")


def _categories(facts: AreaFacts, rules: AreaRules) -> str:
    """'highest rate of Burglary, Drugs and 2 more categories; in the top 20% for 5 categories (multiple
    issues)'; '' where the area is in the top share for none."""
    if _small(facts, rules):
        return ""
    share = share_label(rules.top_rate_share)
    ranks = facts.top_category_ranks
    n = len(ranks) if ranks else (facts.top_categories or 0)
    multiple = n >= rules.emerging_min_categories
    if not ranks:
        return f"in the {share} by rate for {n} categories (multiple issues)" if multiple else ""
    best = min(rank for _, rank in ranks)
    named = [category for category, rank in ranks if rank == best]
    listed = ", ".join(named[:3]) + (f" and {len(named) - 3} more categories" if len(named) > 3 else "")
    if len(named) > 1 and len(named) <= 3:
        listed = ", ".join(named[:-1]) + " and " + named[-1]
    text = f"{_highest(best)} rate of {listed}"
    if multiple:
        text += f"; in the {share} by rate for {n} categories (multiple issues)"
    return text


def _change(fired: dict[str, dict[str, Any]], facts: AreaFacts, rules: AreaRules) -> str:
    from tasks.assess.stats import describe_change, describe_trend

    figures = not _small(facts, rules)
    inc, trend = fired["significant_increase"], fired["rising_trend"]
    bits = []
    if inc["label"] and inc["label"] != m.CHANGE_LABELS[3]:
        ratio = facts.change_ratio
        if ratio is None and facts.change_pct is not None:
            ratio = 1 + facts.change_pct / 100
        away = facts.change_p is not None and facts.change_p < rules.significance
        bits.append(describe_change(inc["label"], ratio, facts.change_low, facts.change_high,
                                    figures=figures, adjusted_away=away))
    if trend["fired"]:
        bits.append(describe_trend(trend["label"], facts.trend_ratio, facts.trend_low, facts.trend_high,
                                   facts.trend_method, figures=figures))
    return " and ".join(bits)


def _also(rule: str, fired: dict[str, dict[str, Any]], rules: AreaRules) -> str:
    """Rules that fired but did not decide the class: the board may weigh them differently."""
    also = []
    if fired["growth_area"]["fired"] and rule != "growth_area":
        also.append("also a growth area in the partnership's configuration")
    if fired["predicted_vulnerability"]["fired"] and rule not in ("predicted_vulnerability", "new_homes"):
        also.append("also rising from a below-median rate")
    return "; ".join(also)


def _history(fired: dict[str, dict[str, Any]]) -> str:
    e = fired["earlier_priority"]
    if e["cycle"] is None:
        return ""
    how = (f"board decision: {e['outcome']}, {e['meeting']}" if e["source"] == "decision"
           else "recommendation, no decision recorded")
    if e["fired"]:
        return f"{e['class']} in {e['cycle']} ({how})"
    if e["source"] == "decision" and e["recommended"] != e["adopted"]:
        return f"not a priority area after {e['cycle']} (recommended {e['recommended']}; {how})"
    return ""


def _over_cap_text(draft: Draft, rank: int, limit: dict[str, Any], rules: AreaRules) -> str:
    """Why an area that meets a class's rules is not on the short list."""
    why = draft.reason_text.split(": ", 1)[1].rstrip(".")
    share = f"{limit['share'] * 100:g}%"
    return (f"Not a priority area: would be {draft.recommendation} ({why}), but ranks "
            f"{ordinal(rank)} of {limit['candidates']} candidates and the list is capped at {limit['cap']} "
            f"(at most {share} of the {limit['areas']} {rules.area_label}s, rounded down, and no more than "
            f"{limit['max']}).")
