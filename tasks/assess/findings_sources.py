"""Findings about partner sources (levels, mix, quarters, their own areas) and about gaps in the data:
a source absent this year, months missing or empty, rows that fall in no period."""

from __future__ import annotations

import pandas as pd

from csp import metrics as M
from csp.suppression import suppress_value
from tasks.assess.analysis import Analysis
from tasks.assess.change import TOO_FEW
from tasks.assess.coverage import CURRENT
from tasks.assess.findings import Draft, source_findings, source_title, subject
from tasks.assess.levels import table_name as levels_table
from tasks.assess.naming import DIMENSION, theme_of, theme_of_source
from tasks.assess.params import month_name
from tasks.assess.places import NOT_STATED
from tasks.assess.rows import TOTAL
from tasks.assess.series import table_name as series_table
from tasks.assess.text import Text, count, derived, fmt_pct, join, plain

MIX_LISTED = 3


def _illustrative(a: Analysis, kind: str, text: Text) -> Text:
    return text + " (Illustrative data.)" if a.coverage[kind].illustrative else text


def _title(kind: str) -> str:
    title = source_title(kind)
    return title[0].upper() + title[1:]


def mix(a: Analysis, kind: str) -> list[Draft]:
    """'Fire incidents by cause: Accidental primary 40% (80), ...'"""
    table = a.levels.table[a.levels.table["source_kind"] == kind]
    total = float(table["current"].sum())
    if len(table) < 2 or total <= 0:
        return []
    name = levels_table(kind)
    parts = []
    for row in table.sort_values("current", ascending=False, kind="mergesort").head(MIX_LISTED).itertuples():
        hidden = a.published.any_hidden([(name, row.category, CURRENT), (name, TOTAL, CURRENT)])
        parts.append(plain(f"{row.category} ") + derived(fmt_pct(100 * row.current / total), hidden)
                     + " (" + count(a.published, (name, row.category, CURRENT), row.current) + ")")
    text = plain(f"{_title(kind)} by {DIMENSION.get(kind, 'category')} in the {a.params.ending_label}: ")
    text = _illustrative(a, kind, text + join(parts) + ".")
    evidence = {"source_kind": kind, "counts": dict(zip(table["category"], table["current"], strict=True)),
                "total": total, "metrics": [M.SHARE_PCT, M.COUNT]}
    return [Draft(theme_of_source(kind), None, text, evidence)]


def quarters(a: Analysis, kind: str) -> list[Draft]:
    """'IDVA referrals by quarter: October to December 2024 51, ...' for quarterly sources."""
    series = a.series.sources.get(kind)
    if series is None or series.period_months == 1:
        return []
    months = series.blocks[CURRENT]
    parts = []
    for month in months:
        value = series.frame.at[month, "All"]
        end = month_name(str(pd.Period(month, freq="M") + series.period_months - 1))
        when = f"{month_name(month).split()[0]} to {end}"
        shown = (count(a.published, (series_table(kind, CURRENT), month, "All"), value)
                 if value == value else plain("no data"))
        parts.append(plain(f"{when} ") + shown)
    text = _illustrative(a, kind, plain(f"{_title(kind)} by quarter: ") + join(parts) + ".")
    evidence = {"source_kind": kind, "quarters": dict(zip(months, series.frame.loc[months, "All"], strict=True)),
                "metrics": [M.QUARTERLY_COUNT]}
    return [Draft(theme_of_source(kind), None, text, evidence)]


def partner_areas(a: Analysis, kind: str) -> list[Draft]:
    """'Assault-related ambulance call-outs by area: Market 30.5% (55), ...'"""
    frame = a.partner_areas.frames.get(kind)
    named = [] if frame is None else [i for i in frame.index if i not in (TOTAL, NOT_STATED)]
    if frame is None or len(named) < 2:
        return []  # one named area (e.g. the district itself) says nothing about places
    total = float(frame.at[TOTAL, "current"])
    name = f"partner_areas:{kind}"
    rows = frame.drop(index=[TOTAL]).sort_values("current", ascending=False, kind="mergesort")
    rows = rows[(rows.index != NOT_STATED) | (rows["current"] > 0)]
    parts = []
    for area, value in rows["current"].head(MIX_LISTED).items():
        hidden = a.published.any_hidden([(name, str(area), "current"), (name, TOTAL, "current")])
        parts.append(plain(f"{area} ") + derived(fmt_pct(100 * value / total, digits=1) if total else "n/a",
                                                 hidden)
                     + " (" + count(a.published, (name, str(area), "current"), value) + ")")
    text = plain(f"{_title(kind)} by the partner's areas, highest first: ") + join(parts) + "."
    evidence = {"source_kind": kind, "areas": rows["current"].to_dict(), "total": total,
                "metrics": [M.COUNT, M.SHARE_PCT]}
    return [Draft(theme_of_source(kind), None, _illustrative(a, kind, text), evidence)]


def partner_findings(a: Analysis) -> list[Draft]:
    out: list[Draft] = []
    for kind, cov in a.coverage.items():
        if kind == "police_uk" or not cov.present:
            continue
        out += source_findings(a, kind) + mix(a, kind) + quarters(a, kind) + partner_areas(a, kind)
    return out


def _months(months: tuple[str, ...]) -> str:
    shown = ", ".join(month_name(m) for m in months[:6])
    return shown + (f" and {len(months) - 6} more" if len(months) > 6 else "")


def gap_findings(a: Analysis) -> list[Draft]:
    """Absent sources, incomplete periods, months with no rows, rows that fall in no period."""
    out = []
    for kind, cov in a.coverage.items():
        theme = theme_of_source(kind)
        title = source_title(kind)
        evidence = {"source_kind": kind, "months_current": list(cov.current),
                    "months_previous": list(cov.previous), "missing_current": list(cov.missing_current),
                    "metrics": [M.MONTHS_COVERED]}
        if not cov.present:
            held = len(cov.previous)
            before = (f"; the previous 12 months had {held} month{'s' if held != 1 else ''} of data"
                      if held else "")
            text = plain(f"No {title} data was received for the {a.params.ending_label} "
                         f"(0 of 12 months){before}.")
            out.append(Draft(theme, None, text, evidence, headline=kind == "police_uk"))
            continue
        if cov.missing_current:
            text = plain(f"{_title(kind)} data covers {len(cov.current)} of the {a.params.ending_label}; "
                         f"missing: {_months(cov.missing_current)}. Counts for the period are incomplete "
                         "and no change against last year is tested.")
            out.append(Draft(theme, None, text, evidence, headline=True))
        if cov.empty_current:
            text = plain(f"{_title(kind)}: {_months(cov.empty_current)} "
                         f"{'was' if len(cov.empty_current) == 1 else 'were'} received but "
                         f"{'holds' if len(cov.empty_current) == 1 else 'hold'} 0 rows for the partnership.")
            out.append(Draft(theme, None, text, evidence))
        if cov.straddling:
            amount = Text(f"{cov.straddling:,}", suppress_value(cov.straddling, a.params.suppression_min))
            text = amount + (f" {title} in periods that cross the start or end of the "
                             "assessment period are counted in neither year.")
            out.append(Draft(theme, None, text, evidence))
    return out


def _list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def untested_findings(a: Analysis) -> list[Draft]:
    """Once for the assessment: which changes could not be tested and why, and how the rest were.

    Each line of the assessment then gives what was tested and says nothing about what was not, so the
    papers do not repeat "no comparable period" forty times.
    """
    out = []
    present = {k: c for k, c in a.coverage.items() if c.present}
    no_year = [k for k, c in present.items() if not c.comparable]
    if no_year:
        held = "; ".join(f"{source_title(k)} {len(present[k].previous)} of 12" for k in no_year)
        text = plain(f"Change against the previous 12 months is not tested for {_list([source_title(k) for k in no_year])}: "
                     f"the store does not hold both full years (previous months held: {held}). Where a "
                     "series has at least 3 months, its trend within the period is tested instead.")
        out.append(Draft(M.OVERVIEW_THEME, None, text, {"sources": no_year, "metrics": [M.CHANGE,
                                                                                      M.MONTHS_COVERED]},
                         headline=True))
    trends = a.changes.trends
    if not trends.empty:
        few = trends[(trends["label"] == TOO_FEW) & trends["source_kind"].isin(no_year)]
        named = [subject(str(r.source_kind), str(r.category)) for r in few.itertuples()]
        if named:
            text = plain(f"No trend is tested for {_list(named)}: fewer than 3 months (or quarters) with "
                         "events in the period.")
            out.append(Draft(M.OVERVIEW_THEME, None, text, {"series": named, "metrics": [M.TREND_RATIO]}))
    if a.changes.family_size:
        dispersion = pd.concat([f["dispersion"] for f in (a.changes.changes, a.changes.trends)
                                if not f.empty and "dispersion" in f]).dropna()
        typical = f"; the median factor was {dispersion.median():.1f}" if len(dispersion) else ""
        text = plain(f"How change was tested: {a.changes.family_size} tests in this assessment allow "
                     "monthly counts to vary more than chance alone would (over-dispersion"
                     f"{typical}), and were adjusted together for multiple testing (Benjamini-Hochberg, "
                     f"false discovery rate {a.params.significance * 100:g}%).")
        out.append(Draft(M.OVERVIEW_THEME, None, text, {"tests": a.changes.family_size,
                                                        "metrics": [M.TEST_FAMILY, M.CHANGE_METHOD]}))
    return out + step_findings(a)


def step_findings(a: Analysis) -> list[Draft]:
    """Each recording step: what moved, from when, by how much, and what follows for the comparisons."""
    out = []
    for step in a.changes.steps.steps:
        times = "from none" if step.before == 0 else f"{step.ratio:.1f} times"
        lead = f"{_title(step.source_kind)}: {step.category} "
        when = f" from {month_name(step.month)} and stayed there ({times})."
        levels = f"moved from about {step.before:,.0f} to about {step.after:,.0f} a month"
        small = 0 < min(step.before, step.after) < a.params.suppression_min
        # a monthly level below the suppression minimum is not printed in public; the ratio and month are
        what = Text(lead + levels + when, lead + ("changed level" if small else levels) + when)
        if step.accepted:
            tail = " An analyst has accepted this in the configuration, so comparisons across it are reported."
        else:
            tail = (" A sustained step like this usually means a change in how incidents are recorded or "
                    "published, not in crime: comparisons across it are not reported and it is left out of "
                    "totals' change and priority scores (accept it under accepted_recording_changes to "
                    "report them).")
        evidence = {"source_kind": step.source_kind, "category": step.category, "month": step.month,
                    "before": step.before, "after": step.after, "p_value": step.p_value,
                    "accepted": step.accepted, "metrics": [M.RECORDING_STEP]}
        out.append(Draft(theme_of(step.source_kind, step.category), step.category,
                         "Recording change. " + what + tail, evidence, headline=not step.accepted))
    return out
