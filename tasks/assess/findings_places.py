"""Findings about places: where rates are highest, which areas stand out, what cannot be rated,
and how concentrated incidents are."""

from __future__ import annotations

import pandas as pd

from csp import metrics as M
from tasks.assess.analysis import Analysis
from tasks.assess.change import DECREASE, INCREASE
from tasks.assess.concentration import DIMINISHING, NEW, PERSISTENT
from tasks.assess.coverage import CURRENT
from tasks.assess.findings import Draft
from tasks.assess.levels import table_name as levels_table
from tasks.assess.naming import theme_of
from tasks.assess.places import NO_POPULATION, NOT_MATCHED, SMALL_POPULATION, Unit, tied_at_threshold
from tasks.assess.places import table_name as places_table
from tasks.assess.rows import ALL, TOTAL
from tasks.assess.stats import describe_change
from tasks.assess.text import Text, clause, count, derived, fmt_int, fmt_pct, fmt_rate, join, plain

TOP_LISTED = 3
REASONS = {NO_POPULATION: "no 2011 population", SMALL_POPULATION: "population below the minimum",
           NOT_MATCHED: "no matching police rows (a 2021 boundary or code change)"}


def _rate_text(a: Analysis, unit: Unit, key: str, category: str) -> Text:
    cell = (places_table(unit.area_type, CURRENT), str(key), category)
    return derived(fmt_rate(unit.rates.at[key, category]), a.published.hidden(cell))


def _coverage_text(a: Analysis, unit: Unit, category: str) -> Text:
    hidden = a.published.hidden((levels_table("police_uk"), TOTAL if category == ALL else category, CURRENT))
    return derived(fmt_pct(unit.coverage.at[category, "pct"], digits=1), hidden)


def _partnership_rate(a: Analysis, category: str) -> float | None:
    pop = a.places.area.areas["population"].sum(min_count=1)
    total = a.places.area.counts[CURRENT].at[TOTAL, category]
    return 1000.0 * total / pop if pop and pop > 0 else None


def top_areas(a: Analysis, category: str, n: int = TOP_LISTED) -> list[str]:
    """Areas with the highest rates (only rates above zero: a list of zeros says nothing)."""
    unit = a.places.area
    rates = unit.rates[category].dropna()
    rates = rates[rates > 0]
    return list(rates.sort_values(ascending=False, kind="mergesort").head(n).index)


def _area_list(a: Analysis, category: str) -> Text:
    unit = a.places.area
    table = places_table(unit.area_type, CURRENT)
    parts = []
    for key in top_areas(a, category):
        name = unit.areas.at[key, "area_name"]
        parts.append(plain(f"{name} (") + _rate_text(a, unit, key, category) + "; "
                     + count(a.published, (table, str(key), category), unit.counts[CURRENT].at[key, category])
                     + " incidents)")
    return join(parts)


def highest_rates(a: Analysis, category: str, headline: bool) -> list[Draft]:
    unit = a.places.area
    if not top_areas(a, category):
        return []
    label = a.params.area_label
    what = "police-recorded crime and ASB" if category == ALL else category
    hidden = a.published.hidden((levels_table("police_uk"), TOTAL if category == ALL else category, CURRENT))
    text = (plain(f"Highest rates of {what} per 1,000 residents by {label}: ") + _area_list(a, category)
            + "; the partnership rate is " + derived(fmt_rate(_partnership_rate(a, category)), hidden)
            + " per 1,000. Population coverage of these rates: " + _coverage_text(a, unit, category) + ".")
    evidence = {"category": category, "areas": top_areas(a, category),
                "rates": [unit.rates.at[k, category] for k in top_areas(a, category)],
                "population_coverage_pct": unit.coverage.at[category, "pct"],
                "metrics": [M.RATE_PER_1000, M.POPULATION_COVERAGE_PCT]}
    theme = M.OVERVIEW_THEME if category == ALL else theme_of("police_uk", category)
    return [Draft(theme, None if category == ALL else category, text, evidence, headline=headline)]


def multi_category(a: Analysis) -> list[Draft]:
    """Areas in the top share by rate for several categories (the seeds' 'multiple issues')."""
    counts = a.places.top_categories
    unit = a.places.area
    threshold = a.params.emerging_min_categories
    share = f"top {a.params.top_rate_share * 100:g}%"
    label = a.params.area_label
    n_categories = len([c for c in a.places.top.columns if c != ALL])
    many = counts[counts >= threshold].sort_values(ascending=False, kind="mergesort")
    evidence = {"threshold": threshold, "top_rate_share": a.params.top_rate_share,
                "areas": {unit.areas.at[k, "area_name"]: int(v) for k, v in counts.items()},
                "metrics": [M.TOP_RATE, M.TOP_RATE_CATEGORIES]}
    if many.empty:
        most = counts.sort_values(ascending=False, kind="mergesort")
        best = (f"; the most is {int(most.iloc[0])} ({unit.areas.at[most.index[0], 'area_name']})"
                if len(most) else "")
        text = plain(f"No {label} is in the {share} by rate for {threshold} or more of the "
                     f"{n_categories} categories{best}.")
        return [Draft(M.OVERVIEW_THEME, None, text, evidence, headline=True)]
    names = ", ".join(f"{unit.areas.at[k, 'area_name']} ({int(v)})" for k, v in many.items())
    text = plain(f"{len(many)} of {len(counts)} {label}s with a rate are in the {share} by rate for "
                 f"{threshold} or more of the {n_categories} categories: {names}.")
    return [Draft(M.OVERVIEW_THEME, None, text, evidence, headline=True)]


def not_rated(a: Analysis, unit: Unit, label: str) -> list[Draft]:
    """Areas with no rate are named with the reason, and what they hold is counted."""
    missing = unit.areas[~unit.areas["usable"]]
    table = places_table(unit.area_type, CURRENT)
    not_placed = unit.coverage.at[ALL, "not_placed"]
    total_ref = (levels_table("police_uk"), TOTAL, CURRENT)
    hidden = a.published.hidden(total_ref)
    if missing.empty and not_placed == 0:
        return []
    groups = []
    for reason, rows in missing.groupby("reason"):
        names = ", ".join(str(n) for n in rows["area_name"].head(6))
        more = f" and {len(rows) - 6} more" if len(rows) > 6 else ""
        groups.append(f"{len(rows)} with {REASONS.get(reason, reason)} ({names}{more})")
    detail = "; ".join(groups) if groups else "none"
    text = (plain(f"Rates per 1,000 by {label} are not given for {len(missing)} of {len(unit.areas)} "
                  f"{label}s: {detail}. ")
            + clause(f"{fmt_int(not_placed)} incidents", hidden, "Some incidents")
            + " could not be placed in an area with a usable population, so rates cover "
            + _coverage_text(a, unit, ALL) + " of police-recorded crime and ASB ("
            + count(a.published, (table, TOTAL, ALL), unit.coverage.at[ALL, "total"]) + ").")
    evidence = {"area_type": unit.area_type, "areas": missing["area_name"].tolist(),
                "reasons": missing["reason"].tolist(), "not_placed": not_placed,
                "population_coverage_pct": unit.coverage.at[ALL, "pct"],
                "metrics": [M.RATE_PER_1000, M.POPULATION_COVERAGE_PCT, M.NOT_PLACED_COUNT]}
    return [Draft(M.OVERVIEW_THEME, None, text, evidence)]


def area_changes(a: Analysis) -> list[Draft]:
    """Areas whose total changed significantly on last year (after the false-discovery adjustment)."""
    changes = a.changes.area_changes
    if changes.empty:
        return []
    unit = a.places.area
    parts = []
    for label in (INCREASE, DECREASE):
        chosen = changes[changes["label"] == label]
        if chosen.empty:
            continue
        names = []
        for key, row in chosen.iterrows():
            bases = [(places_table(unit.area_type, p), str(key), ALL) for p in ("current", "previous")]
            words = describe_change(label, row["ratio"], row["ratio_low"], row["ratio_high"],
                                    row["previous"], row["current"])
            figures = words[words.find("(") + 1:-1] if "(" in words else words
            names.append(plain(f"{unit.areas.at[key, 'area_name']} (")
                         + clause(figures, a.published.any_hidden(bases), "[c]") + ")")
        parts.append(plain(f"{describe_change(label, figures=False)}: ") + join(names))
    excluded = next((list(e) for e in changes.get("excluded", []) if e), [])
    leaving = f", leaving out {', '.join(excluded)} (a recording change)" if excluded else ""
    if not parts:
        text = plain(f"No {a.params.area_label} changed significantly on the previous 12 months "
                     f"(0 of {len(changes)}{leaving}).")
    else:
        text = (plain(f"By {a.params.area_label}, all police-recorded incidents against the previous 12 "
                      f"months{leaving}: ") + join(parts, "; ") + ".")
    evidence = {"changes": changes.reset_index().to_dict("records"), "metrics": [M.CHANGE, M.CHANGE_RATIO]}
    return [Draft(M.OVERVIEW_THEME, None, text, evidence, headline=bool(parts))]


def top_share_ties(a: Analysis) -> list[Draft]:
    """Where ties at the threshold rate put more areas in the top share than floor(share x areas)."""
    ties = tied_at_threshold(a.places.top, a.places.ranks, a.params.top_rate_share)
    if not ties:
        return []
    unit = a.places.area
    parts = []
    for category, keys in ties.items():
        what = "all police-recorded crime and ASB" if category == ALL else category
        names = ", ".join(str(unit.areas.at[k, "area_name"]) for k in keys)
        chosen = int(a.places.top[category].sum())
        parts.append(f"{what}: {names} tie at the threshold rate, so the top share holds {chosen} areas")
    share = f"top {a.params.top_rate_share * 100:g}%"
    text = plain(f"Ties in the {share} by rate (the number of areas is rounded down, and areas tied at the "
                 f"threshold are all included): " + "; ".join(parts) + ".")
    evidence = {"ties": ties, "metrics": [M.TOP_RATE, M.RANK_BY_RATE]}
    return [Draft(M.OVERVIEW_THEME, None, text, evidence)]


def place_findings(a: Analysis) -> list[Draft]:
    if a.places is None:
        return []
    out = highest_rates(a, ALL, headline=True) + multi_category(a) + top_share_ties(a)
    for category in a.police_categories():
        out += highest_rates(a, category, headline=False)
    out += not_rated(a, a.places.area, a.params.area_label)
    out += not_rated(a, a.places.lsoa, "LSOA")
    return out + area_changes(a)


def concentration_findings(a: Analysis) -> list[Draft]:
    c = a.concentration
    if c is None or c.shares.empty:
        return []
    row = c.shares[(c.shares["period"] == CURRENT) & (c.shares["category"] == ALL)].iloc[0]
    hidden = a.published.hidden((levels_table("police_uk"), TOTAL, CURRENT))
    share = f"{a.params.hotspot_share * 100:g}%"
    text = (plain(f"The busiest {share} of LSOAs ({row['hotspots']} of {row['lsoas']}) accounted for ")
            + derived(fmt_pct(row["share_pct"], digits=1), hidden)
            + f" of police-recorded crime and ASB in the {a.params.ending_label} ("
            + derived(fmt_int(row["hotspot_count"]), hidden) + " of "
            + count(a.published, (levels_table("police_uk"), TOTAL, CURRENT), row["total"]) + ").")
    evidence = {"shares": c.shares.to_dict("records"), "metrics": [M.HOTSPOT_SHARE_PCT]}
    out = [Draft(M.OVERVIEW_THEME, None, text, evidence, headline=True)]
    return out + [_hotspot_status(a)]


def _names(spots: pd.DataFrame) -> str:
    return ", ".join(str(n) for n in spots["lsoa_name"].head(5)) + (
        f" and {len(spots) - 5} more" if len(spots) > 5 else "")


def _hotspot_status(a: Analysis) -> Draft:
    spots = a.concentration.hotspots
    cov = a.coverage["police_uk"]
    evidence = {"hotspots": spots.to_dict("records"), "metrics": [M.HOTSPOT]}
    if not cov.comparable:
        text = plain(f"Whether hotspots are new or persistent cannot be assessed: there is no comparable "
                     f"previous period (the store holds {len(cov.previous)} of its 12 months). This "
                     f"period's {len(spots)} hotspot LSOAs are led by {_names(spots.head(3))}.")
        return Draft(M.OVERVIEW_THEME, None, text, evidence)
    parts = []
    for status in (PERSISTENT, NEW, DIMINISHING):
        chosen = spots[spots["status"] == status]
        if len(chosen):
            parts.append(f"{len(chosen)} {status} ({_names(chosen)})")
    text = plain("Hotspot LSOAs against the previous 12 months: " + "; ".join(parts) + ".")
    return Draft(M.OVERVIEW_THEME, None, text, evidence, headline=bool(len(spots[spots["status"] == NEW])))
