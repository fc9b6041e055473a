"""The budget tables in the seeds' shapes, parsed into funding rows, budget lines and reported figures.

Four shapes, recognised by their header:

- **funding** (South Cambridgeshire's spending plan): ``FUNDING SOURCE | AMOUNT``; a "TOTAL ..." row is
  a figure the source reports, checked later, never stored as a fact.
- **items** (the spending plan's lines): ``ITEM | (ORIGINAL) PROFILED BUDGET | OUTTURN / COMMITTED (or
  PROJECTED OUTTURN) | NOTES AND CONTEXT | OPCC | POOLED``; the "TOTALS" row is reported figures.
- **report** (Cambridge's end-of-year Appendix A): ``Available Funding 2019/20 | AMOUNT``: brought-forward
  and allocation rows, spending as negative amounts, then the report's own subtotal and balances.
- **reported** (figures quoted elsewhere, e.g. in minutes): ``FINANCIAL YEAR | FIGURE | LABEL | AMOUNT |
  SOURCE``.

Where a label does not say which fund a row belongs to, an optional ``FUND`` column (grant or pool)
does; the published columns are kept as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tasks.finance.money import MoneyError, parse_pence
from tasks.sheets import Problem, Table

GRANT, POOL = "grant", "pool"
FUNDS = (GRANT, POOL)
BROUGHT_FORWARD, GRANT_KIND, CONTRIBUTION = "brought_forward", "grant", "contribution"
FIGURES = ("funding_total", "funding_total:grant", "funding_total:pool", "profiled_total", "outturn_total",
           "grant_total", "pool_total", "allocated_total", "after_spend_total", "balance:grant",
           "balance:pool", "balance_total")
_YEAR = re.compile(r"(20\d\d)\s*[-/]\s*(\d\d)\b")


def _key(name: str) -> str:
    return " ".join(name.split()).lower()


def financial_year(text: str) -> str | None:
    """'2019/20', '2019-20' or '2019-2020' -> '2019-20'."""
    match = re.search(r"(20\d\d)\s*[-/]\s*(20\d\d|\d\d)(?!\d)", text or "")
    if not match:
        return None
    return f"{match[1]}-{match[2][-2:]}"


@dataclass
class FundingRow:
    position: int
    label: str
    fund: str
    kind: str
    pence: int | None
    text: str
    source: str


@dataclass
class LineRow:
    position: int
    item: str
    profiled: int | None
    outturn: int | None
    grant: int | None
    pool: int | None
    notes: str
    source: str


@dataclass
class FigureRow:
    year: str
    figure: str
    label: str
    pence: int
    source: str


@dataclass
class Parsed:
    shape: str
    year: str | None
    funding: list[FundingRow] = field(default_factory=list)
    lines: list[LineRow] = field(default_factory=list)
    figures: list[FigureRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Row:
    def __init__(self, table: Table, number: int, cells: list[str], parsed: Parsed):
        self.table, self.number, self.parsed = table, number, parsed
        self.cells = {_key(h): v.strip() for h, v in zip(table.header, cells, strict=True)}
        self.by_index = [v.strip() for v in cells]

    @property
    def source(self) -> str:
        return f"{self.table.file} row {self.number}"

    def get(self, column: str) -> str:
        return self.cells.get(_key(column), "")

    def fail(self, column: str | None, message: str) -> None:
        self.parsed.problems.append(Problem(self.table.file, self.number, column, message))

    def money(self, column: str, header: str | None = None) -> int | None:
        try:
            return parse_pence(self.get(column))
        except MoneyError as exc:
            self.fail(header or column, str(exc))
            return None


def _fund_from(label: str, explicit: str) -> str | None:
    if explicit:
        return explicit.strip().lower()
    text = label.lower()
    if "pool" in text:
        return POOL
    if any(w in text for w in ("opcc", "police and crime commissioner", "community safety fund", "grant")):
        return GRANT
    return None


def _kind_from(label: str) -> str:
    text = label.lower()
    if any(w in text for w in ("b/fwd", "brought forward", "start balance", "rollover", "carried forward",
                               "carry forward")):
        return BROUGHT_FORWARD
    if any(w in text for w in ("opcc", "police and crime commissioner", "grant", "allocation")):
        return GRANT_KIND
    return CONTRIBUTION


def _funding(row: _Row, label: str, amount_column: str) -> None:
    fund = _fund_from(label, row.get("FUND"))
    if fund not in FUNDS:
        row.fail("FUND", f"which fund is {label!r}? the label does not say: give FUND as grant or pool")
        return
    pence = row.money(amount_column)
    row.parsed.funding.append(FundingRow(len(row.parsed.funding) + 1, label, fund, _kind_from(label), pence,
                                         row.get(amount_column), row.source))


def _figure(row: _Row, figure: str, label: str, pence: int | None) -> None:
    if pence is None:
        row.fail(None, f"{label!r} reports no amount")
        return
    if row.parsed.year is None:
        row.fail(None, "no financial year: name the file e.g. 2019-20_funding.csv or give --year")
        return
    row.parsed.figures.append(FigureRow(row.parsed.year, figure, label, pence, row.source))


def _parse_funding(row: _Row) -> None:
    label = row.get("FUNDING SOURCE")
    if label.lower().startswith("total"):
        _figure(row, "funding_total", label, row.money("AMOUNT"))
    elif label:
        _funding(row, label, "AMOUNT")
    else:
        row.fail("FUNDING SOURCE", "empty funding source")


def _column(table: Table, *options: str) -> str | None:
    keys = {_key(h): h for h in table.header}
    for option in options:
        if _key(option) in keys:
            return keys[_key(option)]
    return None


def _parse_item(row: _Row, profiled_col: str, outturn_col: str) -> None:
    item = row.get("ITEM")
    amounts = {name: row.money(col) for name, col in
               (("profiled", profiled_col), ("outturn", outturn_col), ("grant", "OPCC"), ("pool", "POOLED"))}
    if item.strip().upper().startswith("TOTAL"):
        for name, figure in (("profiled", "profiled_total"), ("outturn", "outturn_total"),
                             ("grant", "grant_total"), ("pool", "pool_total")):
            if amounts[name] is not None:
                _figure(row, figure, f"{item} ({name})", amounts[name])
        return
    if not item:
        row.fail("ITEM", "empty item")
        return
    lines = row.parsed.lines
    lines.append(LineRow(len(lines) + 1, item, amounts["profiled"], amounts["outturn"], amounts["grant"],
                         amounts["pool"], row.get("NOTES AND CONTEXT"), row.source))


_REPORT_FIGURES = (("total available", "funding_total"), ("total amount remaining in", "balance"),
                   ("total remaining", "balance_total"))


def _parse_report(row: _Row, label_col: str, pending_note: list[str]) -> None:
    label = row.get(label_col)
    text = row.get("AMOUNT")
    if not text:
        if label:
            pending_note.append(label)  # a note row: it explains the next figure, so it goes with it
        return
    pence = row.money("AMOUNT")
    low = label.lower()
    note = f" ({'; '.join(pending_note)})" if pending_note else ""
    pending_note.clear()
    if not label:
        _figure(row, "after_spend_total", "Balance after spending" + note, pence)
        return
    for start, figure in _REPORT_FIGURES:
        if low.startswith(start):
            if figure == "balance":
                fund = _fund_from(label, row.get("FUND"))
                if fund not in FUNDS:
                    row.fail("FUND", f"which fund is {label!r}? give FUND as grant or pool")
                    return
                figure = f"balance:{fund}"
            _figure(row, figure, label + note, pence)
            return
    if _kind_from(label) == BROUGHT_FORWARD or low.startswith(("allocation", "contribution", "grant from")):
        _funding(row, label, "AMOUNT")
        return
    fund = _fund_from("", row.get("FUND"))
    if pence and fund not in FUNDS:
        row.fail("FUND", f"which fund paid {label!r}? give FUND as grant or pool")
        return
    spent = None if pence is None else -pence
    lines = row.parsed.lines
    lines.append(LineRow(len(lines) + 1, label, None, spent, spent if fund == GRANT else None,
                         spent if fund == POOL else None, "", row.source))


def _parse_reported(row: _Row) -> None:
    year = financial_year(row.get("FINANCIAL YEAR"))
    figure = row.get("FIGURE")
    if year is None:
        row.fail("FINANCIAL YEAR", f"{row.get('FINANCIAL YEAR')!r} is not a financial year (e.g. 2018-19)")
    if figure not in FIGURES and not figure.startswith("brought_forward:"):
        row.fail("FIGURE", f"unknown figure {figure!r}; expected one of {', '.join(FIGURES)}")
    before = len(row.parsed.problems)
    pence = row.money("AMOUNT")
    if year and pence is not None and len(row.parsed.problems) == before and (
            figure in FIGURES or figure.startswith("brought_forward:")):
        row.parsed.figures.append(FigureRow(year, figure, row.get("LABEL"), pence,
                                            f"{row.source}: {row.get('SOURCE')}" if row.get("SOURCE") else row.source))


SHAPES = {
    "funding": ("FUNDING SOURCE", "AMOUNT"),
    "items": ("ITEM", "NOTES AND CONTEXT", "OPCC", "POOLED"),
    "reported": ("FINANCIAL YEAR", "FIGURE", "LABEL", "AMOUNT", "SOURCE"),
}


def _shape(table: Table) -> tuple[str, list[Problem]]:
    keys = [_key(h) for h in table.header]
    if keys and keys[0].startswith("available funding"):
        missing = [] if "amount" in keys else ["AMOUNT"]
        return "report", [Problem(table.file, 1, c, "missing column") for c in missing]
    guess = ("funding" if "funding source" in keys else "items" if "item" in keys
             else "reported" if "figure" in keys else "")
    if not guess:
        return "", [Problem(table.file, 1, None, "header matches no budget table shape; expected "
                            "FUNDING SOURCE | AMOUNT, ITEM | PROFILED BUDGET | OUTTURN | NOTES AND CONTEXT | "
                            "OPCC | POOLED, 'Available Funding YYYY/YY' | AMOUNT, or FINANCIAL YEAR | FIGURE | "
                            "LABEL | AMOUNT | SOURCE")]
    missing = [c for c in SHAPES[guess] if _key(c) not in keys]
    return guess, [Problem(table.file, 1, c, "missing column") for c in missing]


def parse_budget_table(table: Table, year: str | None = None) -> Parsed:
    """All rows of one budget table, with every problem found (the caller refuses the file if any)."""
    shape, problems = _shape(table)
    year = year or financial_year(table.file) or (financial_year(table.header[0]) if shape == "report"
                                                  else None)
    parsed = Parsed(shape, year, problems=problems)
    if problems:
        return parsed
    if shape in ("funding", "items", "report") and year is None:
        parsed.problems.append(Problem(table.file, None, None, "no financial year: name the file e.g. "
                                       "2019-20_funding.csv or give --year"))
        return parsed
    profiled = _column(table, "ORIGINAL PROFILED BUDGET", "PROFILED BUDGET")
    outturn = _column(table, "OUTTURN / COMMITTED", "PROJECTED OUTTURN", "OUTTURN")
    if shape == "items" and (profiled is None or outturn is None):
        parsed.problems += [Problem(table.file, 1, name, "missing column") for name, col in
                            (("PROFILED BUDGET", profiled), ("OUTTURN / COMMITTED", outturn)) if col is None]
        return parsed
    pending: list[str] = []
    for number, cells in zip(table.numbers, table.rows, strict=True):
        row = _Row(table, number, cells, parsed)
        if shape == "funding":
            _parse_funding(row)
        elif shape == "items":
            _parse_item(row, profiled, outturn)
        elif shape == "report":
            _parse_report(row, table.header[0], pending)
        else:
            _parse_reported(row)
    return parsed
