"""The end-of-year financial report on its own (outside a board pack), and its summary for Prefect.

The paper is the same one the board pack carries (template ``financial_report``); here it is written
to ``output/<partnership>/finance/`` so the report can be run on demand or in May, when the year's
outturn is known, without redrafting the pack.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from csp.config import Meeting, Partnership
from csp.settings import get_settings
from csp.store.db import session_scope
from tasks.finance.budget import Check, load_year, previous_year, year_checks
from tasks.finance.money import pounds
from tasks.finance.paper import report_year
from tasks.papers.context import build_context
from tasks.papers.numbers import PUBLIC
from tasks.papers.registry import template_path
from tasks.papers.render import render_docx


def report_meeting(config: Partnership, as_of: dt.date, meeting_id: str | None = None) -> Meeting:
    """The meeting the report goes to: the one named, else the next board meeting (else the last one)."""
    if meeting_id:
        return config.meeting(meeting_id)
    boards = sorted((m for m in config.meetings if m.kind == "board"), key=lambda m: m.date)
    if not boards:
        raise ValueError(f"{config.config_file}: no board meeting configured for the financial report")
    upcoming = [m for m in boards if m.date >= as_of]
    return upcoming[0] if upcoming else boards[-1]


def year_discrepancies(url: str, partnership_id: str, year: str) -> list[Check]:
    with session_scope(url) as session:
        budget = load_year(session, partnership_id, year)
        before = load_year(session, partnership_id, previous_year(year))
        return [c for c in year_checks(budget, before) if not c.agrees]


def write_report(url: str, config: Partnership, meeting: Meeting) -> Path:
    """Render the financial report for a meeting into the partnership's finance folder."""
    built = build_context(url, config, meeting.cycle, meeting.id, "financial_report", PUBLIC, {})
    year = report_year(meeting.date)
    data = render_docx(template_path(config, "financial_report"), built.context,
                       f"End of Year Financial Report {year}", config.name, meeting.date)
    path = get_settings().output_dir / config.id / "finance" / f"End of Year Financial Report {year}.docx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def report_markdown(config: Partnership, year: str, path: Path, checks: list[Check]) -> str:
    lines = [f"# End of year financial report {year}: {config.name}", "", f"Written to `{path}`.", ""]
    if not checks:
        lines.append("Every figure reported in the sources agrees with the computed one.")
        return "\n".join(lines)
    lines += [f"{len(checks)} reported figure(s) differ from the computed ones:", "",
              "| Figure | Reported | Computed | Difference | Reported in |", "|---|---|---|---|---|"]
    lines += [f"| {c.label} | {pounds(c.reported)} | {pounds(c.computed)} | {pounds(c.difference)} | "
              f"{c.reported_source} |" for c in checks]
    return "\n".join(lines)
