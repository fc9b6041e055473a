"""A financial year's budget as stored, its totals computed (never typed), and the checks of every
figure a source reported against the computed one.

Balances follow the funds: what a fund had (brought forward, grant, contributions) less what its
lines drew from it (the OPCC and POOLED columns, or the fund a report line names). A year's balance
brought forward is also checked against the previous year's computed balance carried forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from csp.store import models
from csp.store.db import session_scope
from tasks.finance.money import pounds
from tasks.finance.tables import BROUGHT_FORWARD, FUNDS, GRANT, POOL


def previous_year(year: str) -> str:
    start = int(year[:4]) - 1
    return f"{start}-{(start + 1) % 100:02d}"


def next_year(year: str) -> str:
    start = int(year[:4]) + 1
    return f"{start}-{(start + 1) % 100:02d}"


def _sum(values: list[int | None]) -> int:
    return sum(v for v in values if v is not None)


@dataclass(frozen=True)
class YearBudget:
    """One partnership's funding, lines and reported figures for one financial year."""

    partnership: str
    year: str
    funding: tuple[models.Funding, ...]
    lines: tuple[models.BudgetLine, ...]
    reported: tuple[models.ReportedFigure, ...]

    @property
    def empty(self) -> bool:
        return not (self.funding or self.lines)

    @property
    def unconfirmed(self) -> tuple[models.Funding, ...]:
        """Funding the source gives no amount for yet ('TBC'): left out of every total, and said so."""
        return tuple(f for f in self.funding if f.amount_pence is None)

    def fund_in(self, fund: str) -> int:
        return _sum([f.amount_pence for f in self.funding if f.fund == fund])

    def fund_out(self, fund: str) -> int:
        column = "grant_pence" if fund == GRANT else "pool_pence"
        return _sum([getattr(line, column) for line in self.lines])

    def brought_forward(self, fund: str) -> int | None:
        rows = [f for f in self.funding if f.fund == fund and f.kind == BROUGHT_FORWARD]
        return _sum([f.amount_pence for f in rows]) if rows else None

    def computed(self) -> dict[str, int]:
        """Every total and balance, in pence, from the rows alone."""
        figures = {f"funding_total:{fund}": self.fund_in(fund) for fund in FUNDS}
        figures["funding_total"] = sum(figures[f"funding_total:{fund}"] for fund in FUNDS)
        figures["profiled_total"] = _sum([line.profiled_pence for line in self.lines])
        figures["outturn_total"] = _sum([line.outturn_pence for line in self.lines])
        figures["grant_total"] = self.fund_out(GRANT)
        figures["pool_total"] = self.fund_out(POOL)
        figures["allocated_total"] = figures["grant_total"] + figures["pool_total"]
        figures["after_spend_total"] = figures["funding_total"] - figures["outturn_total"]
        for fund in FUNDS:
            figures[f"balance:{fund}"] = self.fund_in(fund) - self.fund_out(fund)
        figures["balance_total"] = figures[f"balance:{GRANT}"] + figures[f"balance:{POOL}"]
        return figures


EXPLAINED = {
    "funding_total": "sum of the year's funding rows",
    "funding_total:grant": "sum of the year's grant funding rows",
    "funding_total:pool": "sum of the year's pooled fund rows",
    "profiled_total": "sum of the lines' profiled budgets",
    "outturn_total": "sum of the lines' outturn / committed",
    "grant_total": "sum of the lines funded from the grant (OPCC column)",
    "pool_total": "sum of the lines funded from the pooled fund (POOLED column)",
    "allocated_total": "lines funded from the grant plus from the pooled fund",
    "after_spend_total": "funding less the lines' outturn",
    "balance:grant": "grant funding less the lines funded from the grant",
    "balance:pool": "pooled fund less the lines funded from it",
    "balance_total": "both funds' balances",
}


def load_year(session: Session, partnership_id: str, year: str) -> YearBudget:
    def rows(model):  # noqa: ANN001, ANN202 - one of the three budget models
        return tuple(session.scalars(select(model).where(model.partnership_id == partnership_id,
                                                         model.financial_year == year)
                                     .order_by(model.id)).all())

    funding = tuple(sorted(rows(models.Funding), key=lambda f: f.position))
    lines = tuple(sorted(rows(models.BudgetLine), key=lambda line: line.position))
    return YearBudget(partnership_id, year, funding, lines, rows(models.ReportedFigure))


def stored_years(session: Session, partnership_id: str) -> list[str]:
    years: set[str] = set()
    for model in (models.Funding, models.BudgetLine, models.ReportedFigure):
        years |= set(session.scalars(select(model.financial_year).where(
            model.partnership_id == partnership_id).distinct()).all())
    return sorted(years)


@dataclass(frozen=True)
class Check:
    """A reported figure beside the computed one; ``difference`` is reported minus computed (pence)."""

    year: str
    figure: str
    label: str
    reported: int
    computed: int
    reported_source: str
    computed_from: str

    @property
    def difference(self) -> int:
        return self.reported - self.computed

    @property
    def agrees(self) -> bool:
        return self.difference == 0

    @property
    def difference_pounds(self) -> Decimal:
        return Decimal(self.difference) / 100

    def message(self) -> str:
        verdict = "agrees" if self.agrees else f"differs by {pounds(self.difference)}"
        return (f"{self.year} {self.label}: reported {pounds(self.reported)} ({self.reported_source}); "
                f"computed {pounds(self.computed)} ({self.computed_from}): {verdict}")


def _carried_forward_checks(budget: YearBudget, before: YearBudget | None) -> list[Check]:
    if before is None or before.empty:
        return []
    checks = []
    computed = before.computed()
    for fund in FUNDS:
        reported = budget.brought_forward(fund)
        if reported is None:
            continue
        rows = [f for f in budget.funding if f.fund == fund and f.kind == BROUGHT_FORWARD]
        checks.append(Check(budget.year, f"brought_forward:{fund}", " + ".join(f.label for f in rows), reported,
                            computed[f"balance:{fund}"], "; ".join(f.source for f in rows),
                            f"{before.year} balance carried forward: {EXPLAINED[f'balance:{fund}']}"))
    return checks


def year_checks(budget: YearBudget, before: YearBudget | None) -> list[Check]:
    """Every reported figure of the year against the computed one, and the balances brought forward."""
    computed = budget.computed()
    checks = []
    for figure in budget.reported:
        if figure.figure.startswith("brought_forward:"):
            continue
        checks.append(Check(budget.year, figure.figure, figure.label, figure.amount_pence,
                            computed[figure.figure], figure.source,
                            f"{EXPLAINED[figure.figure]}: {_provenance(budget, figure.figure)}"))
    return checks + _carried_forward_checks(budget, before)


def _provenance(budget: YearBudget, figure: str) -> str:
    rows = budget.funding if figure.startswith("funding") else budget.lines
    files = sorted({r.source.rsplit(" row ", 1)[0] for r in rows})
    if figure.startswith("balance") or figure == "after_spend_total":
        files = sorted({r.source.rsplit(" row ", 1)[0] for r in (*budget.funding, *budget.lines)})
    return f"{len(rows)} row(s) of {', '.join(files) or 'no file'}"


def all_checks(url: str, partnership_id: str) -> list[Check]:
    """Every check for every stored year of a partnership, oldest year first."""
    with session_scope(url) as session:
        years = stored_years(session, partnership_id)
        budgets = {y: load_year(session, partnership_id, y) for y in years}
        checks = []
        for year in years:
            before = budgets.get(previous_year(year)) or load_year(session, partnership_id, previous_year(year))
            checks += year_checks(budgets[year], before)
        return checks


def discrepancies(url: str, partnership_id: str) -> list[Check]:
    """The reported figures that differ from the computed ones, with both sources."""
    return [c for c in all_checks(url, partnership_id) if not c.agrees]
