"""The Scrutiny & Overview Committee report: context from configuration and the store, then Word.

Public (OFFICIAL): it prints no counts of crimes at all, only the partnership's decisions, place names
of the priority areas with their classes, the action register's lines and the budget summary, so
small-number suppression has nothing to hide; the publication check still runs on the rendered text.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from csp.config import Partnership
from csp.store import models
from csp.store.db import session_scope
from csp.year import board_meeting, scrutiny_due
from tasks.finance.summary import two_year_summary
from tasks.papers.common import long_date
from tasks.prioritise.common import AREA, PRIORITY_CLASSES, PRIORITY_THEME_VALUES, THEME
from tasks.prioritise.store import RecommendationView, earlier_adoptions, recommendations_with_decisions
from tasks.year.papers import file_paper, year_folder

KIND = "scrutiny_report"
MARKING = "OFFICIAL"
CLASS_MEANING = {
    "Emerging": "multiple issues presenting and/or escalating",
    "Preventing": "growth area or predicted vulnerability",
    "Sustaining": "work done; support to keep its resilience",
    "Discharged": "no longer needs the partnership's focus",
}
DUTIES = (
    "set up a strategic group to direct the work of the partnership",
    "engage and consult the community regularly about their priorities and progress towards them",
    "set up protocols and systems for sharing information",
    "analyse a wide range of data, including recorded crime levels and patterns, to identify priorities "
    "in an annual strategic assessment",
    "set out a partnership plan and monitor progress against it",
    "produce a strategy or strategies to reduce reoffending and substance misuse",
    "commission domestic homicide reviews",
)
TO_CONFIGURE = "(not configured: set scrutiny.{key} in {file})"


def _configured(config: Partnership, key: str) -> str:
    return getattr(config.scrutiny, key) or TO_CONFIGURE.format(key=key, file=config.config_file)


def _budget(url: str, config: Partnership, cycle: str) -> dict[str, Any]:
    """The last two financial years' budget, side by side, from the finance stage's summary."""
    first = config.cycle(cycle).previous_cycle()
    summary = two_year_summary(url, config, first, cycle)
    table = summary.table()
    rows = [{"line": cells[0], "first": cells[1], "second": cells[2]} for cells in table[1:]]
    years = " & ".join(summary.years)
    recorded = any(value for row in summary.rows for value in row.pence)
    note = (f"Appendix D summarises the partnership's budget for {years}, as recorded for the board."
            if recorded else f"No budget is recorded for {years}: import it with csp budget import.")
    if summary.discrepancies:
        note += (f" {len(summary.discrepancies)} figure(s) reported to the board differ from the figures "
                 "computed from the budget lines; the computed figures are shown.")
    return {"budget_years": years, "budget_columns": list(summary.years), "budget_rows": rows,
            "budget_note": note}


def _themes(views: list[RecommendationView]) -> list[dict[str, str]]:
    rows = []
    for v in views:
        if v.kind != THEME or v.adopted not in PRIORITY_THEME_VALUES:
            continue
        how = f"{v.outcome} at {v.meeting}" if v.outcome else "recommended (no decision recorded)"
        rows.append({"title": v.subject_name, "decision": f"{v.adopted} ({how})"})
    return rows


def _areas(views: list[RecommendationView]) -> list[dict[str, str]]:
    return [{"name": v.subject_name, "code": v.subject, "class": v.adopted,
             "why": CLASS_MEANING.get(v.adopted, "")}
            for v in views if v.kind == AREA and v.adopted in PRIORITY_CLASSES]


def _how_chosen(url: str, config: Partnership, cycle: str, views: list[RecommendationView]) -> list[str]:
    period = config.cycle(cycle)
    board = board_meeting(config, cycle)
    decided = Counter(v.outcome for v in views if v.outcome)
    share = round(config.thresholds.top_rate_share * 100)
    earlier = earlier_adoptions(url, config.id, cycle, AREA)
    text = [
        f"The strategic assessment looked at the {period.ending_label} ({period.label}) against the year "
        "before, testing each change for whether it is beyond chance rather than reading raw percentages.",
        f"Candidate priority areas were the {config.area_unit.label}s with the top {share}% highest recorded "
        "crime rate per 1,000 residents; each was then classed Emerging, Preventing, Sustaining or "
        "Discharged from its trend, the number of issues presenting, planned growth and the previous "
        "year's class, for the board's professional judgement.",
        f"The board considered the recommendations at its meeting of {long_date(board.date)}: "
        f"{decided.get('accepted', 0)} accepted, {decided.get('changed', 0)} changed and "
        f"{decided.get('rejected', 0)} rejected.",
    ]
    if earlier:
        text.append(f"Last year's decisions were the starting point: {len(earlier)} areas considered then "
                    "were reviewed again, and areas worked on may move to Sustaining or be Discharged.")
    return text


def _operational_plan(url: str, config: Partnership) -> list[dict[str, str]]:
    with session_scope(url) as session:
        actions = session.query(models.Action).filter_by(partnership_id=config.id).all()
        titles = {p.theme: p.title for p in config.priorities}
        rows = [{"priority": titles.get(a.priority or "", a.priority or "General"),
                 "number": a.number, "text": a.text, "owner": a.owner,
                 "due": a.due.isoformat() if a.due else "", "status": a.status} for a in actions]
    return sorted(rows, key=lambda r: (r["priority"], r["number"]))


def build_context(url: str, config: Partnership, cycle: str, issued: dt.date) -> dict[str, Any]:
    period = config.cycle(cycle)
    views = recommendations_with_decisions(url, config.id, cycle)
    themes, areas = _themes(views), _areas(views)
    board = board_meeting(config, cycle)
    scrutiny = config.scrutiny
    authorities = ", ".join(scrutiny.responsible_authorities) or "the police, fire and rescue, health and " \
        "probation services and the county council"
    council = scrutiny.council or config.local_authority.name + " Council"
    plan = _operational_plan(url, config)
    overdue = sum(1 for a in plan if a["due"] and a["due"] < issued.isoformat()
                  and not a["status"].lower().startswith(("closed", "complete")))
    budget = _budget(url, config, cycle)
    return {
        "partnership_name": config.name, "partnership_short": config.short_name, "marking": MARKING,
        "committee": scrutiny.committee, "committee_date": long_date(scrutiny_due(config, cycle)),
        "lead_cabinet_member": _configured(config, "lead_cabinet_member"),
        "lead_officer": _configured(config, "lead_officer"),
        "report_author": _configured(config, "report_author"),
        "priorities_year": period.priorities_year,
        "executive_summary": [
            f"The {config.name} is the statutory Community Safety Partnership for {config.local_authority.name}, "
            "established under the Crime and Disorder Act 1998 to reduce crime, disorder and substance misuse.",
            f"At its meeting of {long_date(board.date)} the partnership's board received the strategic "
            f"assessment for the {period.ending_label} and agreed {len(themes)} thematic priorities and "
            f"{len(areas)} priority areas for {period.priorities_year}.",
            "The purpose of this report is to make members aware of the scope of the partnership's remit, "
            "and to show the link between the core work of the Council and the work of the partnership.",
        ],
        "key_decision": f"No, this is not a key decision. The work of the partnership is brought to the "
                        f"{scrutiny.committee} once a year (Police and Justice Act 2006 s.19).",
        "recommendation": f"It is recommended that the {scrutiny.committee} notes the information in the "
                          "report and its appendices and makes recommendations and/or requests further "
                          "information about the Council's approach to the partnership's work.",
        "reasons": f"The partnership is a statutory partnership and {council} is one of its named "
                   f"'responsible authorities', with {authorities}.",
        "statutory_duties": list(DUTIES),
        "section_17": "In addition, responsible authorities must consider the crime and disorder "
                      "implications of all their day-to-day activities (s.17 of the 1998 Act). Appendix A "
                      "shows the Council's current work on the partnership and on crime and disorder "
                      "more generally.",
        "structure": (f"{scrutiny.accountable_body or council} is the accountable body for the partnership. "
                      "The board sets the partnership's direction and headline priorities, oversees the "
                      "resources for its work, manages risk and reviews progress; decisions about actions "
                      "and specific resources are delegated to the Tasking and Co-ordination Group, which "
                      "receives a performance report every quarter."),
        "how_chosen": _how_chosen(url, config, cycle, views),
        "themes": themes, "areas": areas,
        "financial": [budget["budget_note"]],
        "staffing": scrutiny.staffing or "There are implications for officer capacity in the Council's "
                                         "community safety team, which supports the partnership.",
        "legal": "The partnership is statutory (Crime and Disorder Act 1998 s.5-6 and the 2007 Regulations); "
                 "the Council must take part as a responsible authority.",
        "risk": f"The operational plan has {len(plan)} action(s), of which {overdue} are past their due "
                "date and open; the board reviews these at each meeting.",
        "equality": "The priorities are chosen from evidence for the whole district; public papers "
                    "withhold small numbers so no individual can be identified.",
        "council_work": [w.model_dump() for w in scrutiny.council_work],
        "operational_plan": plan,
        **budget,
    }


def draft_report(url: str, config: Partnership, cycle: str, issued: dt.date, run_id: str | None) -> dict[str, str]:
    context = build_context(url, config, cycle, issued)
    name = f"Scrutiny and Overview Committee report {config.cycle(cycle).priorities_year} (public).docx"
    path = year_folder(config, cycle, "scrutiny") / name
    return file_paper(url, config, cycle, kind=KIND, version="public", meeting="scrutiny", context=context,
                      path=path, title=f"{config.short_name} report to the {config.scrutiny.committee}",
                      when=issued, run_id=run_id)
