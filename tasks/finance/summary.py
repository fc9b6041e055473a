"""The budget summary the Scrutiny report's appendix needs: two financial years side by side.

Every figure is computed from the stored funding and lines; a funding row the source left as "TBC" is
shown as such rather than as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from csp.config import Partnership
from csp.store.db import session_scope
from tasks.finance.budget import Check, YearBudget, load_year, next_year, previous_year, year_checks
from tasks.finance.money import pounds
from tasks.finance.tables import BROUGHT_FORWARD, CONTRIBUTION, GRANT, GRANT_KIND, POOL


@dataclass(frozen=True)
class SummaryRow:
    """One row of the summary: its section, label, amount per year in pence (None: no such row that
    year) and whether a 'TBC' amount is left out of that year's figure."""

    section: str
    label: str
    pence: tuple[int | None, ...]
    unconfirmed: tuple[bool, ...]
    total: bool = False

    def cells(self) -> list[str]:
        shown = []
        for value, tbc in zip(self.pence, self.unconfirmed, strict=True):
            text = pounds(value)
            shown.append((f"{text} + TBC" if value else "TBC") if tbc else text)
        return [self.label, *shown]


@dataclass(frozen=True)
class BudgetSummary:
    """``rows`` in order: funding, spending lines, totals, balances carried forward; ``checks`` are the
    years' reported figures that differ from the computed ones."""

    partnership: str
    years: tuple[str, ...]
    rows: tuple[SummaryRow, ...]
    discrepancies: tuple[Check, ...]

    @property
    def header(self) -> list[str]:
        return ["", *self.years]

    def table(self) -> list[list[str]]:
        """Header and rows as printed text, ready for a Word table."""
        return [self.header, *[row.cells() for row in self.rows]]

    def value(self, label: str, year: str) -> int | None:
        row = next(r for r in self.rows if r.label == label)
        return row.pence[self.years.index(year)]


def _kind_total(budget: YearBudget, fund: str | None, kind: str) -> tuple[int | None, bool]:
    rows = [f for f in budget.funding if f.kind == kind and (fund is None or f.fund == fund)]
    if not rows:
        return None, False
    return sum(f.amount_pence or 0 for f in rows), any(f.amount_pence is None for f in rows)


def _row(section: str, label: str, values: list[tuple[int | None, bool]], total: bool = False) -> SummaryRow:
    return SummaryRow(section, label, tuple(v for v, _ in values), tuple(t for _, t in values), total)


def _funding_rows(config: Partnership, budgets: list[YearBudget]) -> list[SummaryRow]:
    f = config.finance
    rows = [
        _row("Funding", f"Balance brought forward: {f.pool_name}",
             [_kind_total(b, POOL, BROUGHT_FORWARD) for b in budgets]),
        _row("Funding", f"Balance brought forward: {f.grant_name}",
             [_kind_total(b, GRANT, BROUGHT_FORWARD) for b in budgets]),
        _row("Funding", "Grant from the Police and Crime Commissioner",
             [_kind_total(b, None, GRANT_KIND) for b in budgets]),
        _row("Funding", "Other contributions", [_kind_total(b, None, CONTRIBUTION) for b in budgets]),
    ]
    rows = [r for r in rows if any(v is not None for v in r.pence)]
    rows.append(_row("Funding", "Total funding available",
                     [(b.computed()["funding_total"], bool(b.unconfirmed)) for b in budgets], total=True))
    return rows


def _line_rows(budgets: list[YearBudget]) -> list[SummaryRow]:
    items: list[str] = []
    for budget in budgets:
        items += [line.item for line in budget.lines if line.item not in items]
    rows = []
    for item in items:
        values = []
        for budget in budgets:
            match = [line for line in budget.lines if line.item == item]
            amounts = [line.outturn_pence for line in match if line.outturn_pence is not None]
            values.append((sum(amounts) if amounts else None, False))
        rows.append(_row("Spending (outturn or committed)", item, values))
    return rows


def _total_rows(config: Partnership, budgets: list[YearBudget]) -> list[SummaryRow]:
    def figure(name: str) -> list[tuple[int | None, bool]]:
        return [(b.computed()[name], False) for b in budgets]

    return [
        _row("Totals", "Total profiled budget", figure("profiled_total"), total=True),
        _row("Totals", "Total outturn or committed", figure("outturn_total"), total=True),
        _row("Totals", f"Funded from {config.finance.grant_name}", figure("grant_total")),
        _row("Totals", f"Funded from {config.finance.pool_name}", figure("pool_total")),
        _row("Balance carried forward", f"Balance carried forward: {config.finance.pool_name}",
             figure("balance:pool")),
        _row("Balance carried forward", f"Balance carried forward: {config.finance.grant_name}",
             [(b.computed()["balance:grant"], bool(b.unconfirmed)) for b in budgets]),
        _row("Balance carried forward", "Total balance carried forward",
             [(b.computed()["balance_total"], bool(b.unconfirmed)) for b in budgets], total=True),
    ]


def two_year_summary(url: str, config: Partnership, first_year: str,
                     second_year: str | None = None) -> BudgetSummary:
    """The budget summary of two financial years side by side (e.g. '2018-19' and '2019-20'), as the
    Scrutiny report's budget appendix shows it; ``second_year`` defaults to the year after the first."""
    years = (first_year, second_year or next_year(first_year))
    with session_scope(url) as session:
        budgets = [load_year(session, config.id, y) for y in years]
        before = load_year(session, config.id, previous_year(years[0]))
        checks = year_checks(budgets[0], before) + year_checks(budgets[1], budgets[0])
    rows = _funding_rows(config, budgets) + _line_rows(budgets) + _total_rows(config, budgets)
    return BudgetSummary(config.id, years, tuple(rows), tuple(c for c in checks if not c.agrees))
