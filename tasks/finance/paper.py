"""The end-of-year financial report's context, in the shape of Cambridge's report (seed 004): purpose,
background with the funding available and the balances, recommendation, and Appendix A (available
funding, spending, what remains in each fund). Every amount is computed from the store; where a
source reported a different figure the paper lists it with the difference.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from tasks.finance.budget import YearBudget, load_year, next_year, previous_year, year_checks
from tasks.finance.money import pounds
from tasks.finance.tables import GRANT, POOL
from tasks.papers.common import Built, Setting, common


def report_year(meeting_date: dt.date) -> str:
    """The financial year an end-of-year report at this meeting covers: the last one that has ended
    (Cambridge's February 2021 board took the 2019/20 report)."""
    start = meeting_date.year if meeting_date.month >= 4 else meeting_date.year - 1
    return previous_year(f"{start}-{(start + 1) % 100:02d}")


def _appendix(budget: YearBudget, names: dict[str, str]) -> list[dict[str, Any]]:
    figures = budget.computed()
    rows = [{"label": f.label, "amount": f.amount_text if f.amount_pence is None else pounds(f.amount_pence),
             "bold": False} for f in budget.funding]
    rows.append({"label": "Total available funding", "amount": pounds(figures["funding_total"]), "bold": True})
    rows += [{"label": line.item, "amount": pounds(-(line.outturn_pence or 0)), "bold": False}
             for line in budget.lines]
    rows.append({"label": "Balance after spending", "amount": pounds(figures["after_spend_total"]),
                 "bold": True})
    rows += [{"label": f"Total amount remaining in {names[fund]}", "amount": pounds(figures[f"balance:{fund}"]),
              "bold": False} for fund in (POOL, GRANT)]
    rows.append({"label": "Total remaining", "amount": pounds(figures["balance_total"]), "bold": True})
    return rows


def _lines(budget: YearBudget) -> list[dict[str, str]]:
    return [{"item": line.item, "profiled": pounds(line.profiled_pence), "outturn": pounds(line.outturn_pence),
             "grant": pounds(line.grant_pence), "pool": pounds(line.pool_pence), "notes": line.notes}
            for line in budget.lines]


def build_financial_report(session: Session, setting: Setting) -> Built:
    config = setting.config
    year = report_year(setting.meeting.date)
    budget = load_year(session, config.id, year)
    before = load_year(session, config.id, previous_year(year))
    figures = budget.computed()
    names = {GRANT: config.finance.grant_name, POOL: config.finance.pool_name}
    checks = [c for c in year_checks(budget, before) if not c.agrees]
    context = {
        **common(setting),
        "financial_year": year.replace("-", "/"),
        "next_financial_year": next_year(year).replace("-", "/"),
        "has_budget": not budget.empty,
        "grant_name": names[GRANT],
        "pool_name": names[POOL],
        "funding": [{"label": f.label, "amount": f.amount_text if f.amount_pence is None
                     else pounds(f.amount_pence)} for f in budget.funding],
        "funding_total": pounds(figures["funding_total"]),
        "unconfirmed": [f.label for f in budget.unconfirmed],
        "appendix": _appendix(budget, names),
        "lines": _lines(budget),
        "balance_pool": pounds(figures["balance:pool"]),
        "balance_grant": pounds(figures["balance:grant"]),
        "balance_total": pounds(figures["balance_total"]),
        "discrepancies": [{"label": c.label, "reported": pounds(c.reported), "computed": pounds(c.computed),
                           "difference": pounds(c.difference), "source": c.reported_source}
                          for c in checks],
    }
    return Built(context)
