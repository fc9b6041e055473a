"""The TCG quarterly performance report: context from the store, then the Word paper.

Restricted (OFFICIAL-SENSITIVE): the group works with unsuppressed counts and with the IDVA service's
figures, which are not published. Crime IDs, coordinates and street names never appear.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from csp.config import Partnership
from csp.cycle import Quarter
from csp.store.db import session_scope
from tasks.monitoring import numbers as N
from tasks.papers.common import long_date
from tasks.prioritise.store import recommendations_with_decisions
from tasks.year.papers import file_paper, number_text, pct_text, year_folder

KIND = "tcg_performance"
MARKING = "OFFICIAL-SENSITIVE"
METHOD = ("'Change' compares this quarter with the same quarter a year earlier; 'beyond chance' is an "
          "exact test of the two counts (p < {alpha}). Monthly crime counts vary more than chance "
          "alone would make them, so treat a 'significant' label as a prompt to look, not a finding. "
          "The assessment year's average quarter is a quarter of its total: a comparison to read, not "
          "a test.")


def _chance_words(label: str) -> str:
    """'significant decrease' -> 'yes, lower': short enough for a narrow column of a printed table."""
    return {"significant increase": "yes, higher", "significant decrease": "yes, lower"}.get(label, "no")


def _p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _measure_row(m: N.Measure) -> dict[str, str]:
    change = None if m.last_year in (None, 0) else 100.0 * (m.quarter - m.last_year) / m.last_year
    significance = "n/a" if m.p_value is None else f"{_chance_words(m.change_label)} (p {_p_text(m.p_value)})"
    return {"priority": m.priority, "measure": m.measure, "quarter": number_text(m.quarter),
            "last_year": number_text(m.last_year), "change": pct_text(change), "significance": significance,
            "year_average": number_text(m.year_average, 1), "against_average": pct_text(m.against_average_pct())}


def _decided_at(views: list) -> str:  # noqa: ANN001 - RecommendationView list
    meetings = sorted({(v.decided_on, v.meeting) for v in views if v.meeting})
    if not meetings:
        return "the board (no decision recorded: the recommendations are shown)"
    on, meeting = meetings[-1]
    return f"its meeting {meeting} ({long_date(dt.date.fromisoformat(on))})"


def build_context(url: str, config: Partnership, cycle: str, quarter: Quarter, issued: dt.date) -> dict[str, Any]:
    assessment = config.cycle(cycle)
    views = recommendations_with_decisions(url, config.id, cycle)
    next_due = (quarter.end + 6).end_time.date()  # the next quarter's report
    with session_scope(url) as session:
        measures = N.theme_measures(session, config, views, quarter, assessment)
        areas = N.area_measures(session, config, views, quarter, assessment)
        idva = N.idva_table(session, config.id, quarter)
        actions = N.actions_due(session, config.id, next_due)
        action_rows = [{"number": a.number, "text": a.text, "owner": a.owner,
                        "due": a.due.isoformat() if a.due else "", "status": a.status} for a in actions]
    idva["rows"] = [{k: ("" if v is None else str(v)) for k, v in row.items()} for row in idva["rows"]]
    last_year = [m - 12 for m in quarter.months]
    return {
        "partnership_name": config.name, "area_name": config.local_authority.name, "marking": MARKING,
        "quarter_label": quarter.label, "issue_date": long_date(issued),
        "quarter_months": f"{quarter.start.strftime('%B')} to {quarter.end.strftime('%B %Y')}",
        "last_year_months": f"{last_year[0].strftime('%B')} to {last_year[-1].strftime('%B %Y')}",
        "assessment_period": assessment.label, "decided_at": _decided_at(views),
        "method_note": METHOD.format(alpha=config.thresholds.significance),
        "measures": [_measure_row(m) for m in measures], "areas": [_measure_row(m) for m in areas],
        "idva": idva, "actions": action_rows, "next_due": long_date(next_due),
        "idva_note": ("IDVA figures: Cambridgeshire and Peterborough IDVA Service (the 2024-26 file is "
                      "illustrative, see data/partners/README.md). An empty cell is a quarter not yet "
                      "reported." if idva["has_data"] else "No IDVA referrals file is configured."),
        "data_notes": [f"Police recorded crime and ASB: data.police.uk, {config.police_force}, "
                       "current files in the store.",
                       "Counts are unsuppressed: this report is for the group only.",
                       f"Priorities as adopted for {assessment.priorities_year} (cycle {cycle})."],
    }


def draft_report(url: str, config: Partnership, cycle: str, quarter: Quarter, issued: dt.date,
                 run_id: str | None) -> dict[str, str]:
    context = build_context(url, config, cycle, quarter, issued)
    name = f"TCG performance report Q{quarter.number} {quarter.cycle} (restricted).docx"
    path = year_folder(config, cycle, "monitoring") / name
    return file_paper(url, config, cycle, kind=KIND, version="restricted", meeting=f"tcg-q{quarter.number}",
                      context=context, path=path, title=f"Performance report {quarter.label}", when=issued,
                      run_id=run_id)
