"""The budget: the seeds' tables as published load into pence, their printed totals are reproduced from
the rows, and every figure that does not add up is flagged with its amount and both sources.

The discrepancies were worked out by hand from the seeds:

- South Cambridgeshire 2018/19 (seed 001, minutes of 12 February 2019, item 5): the Pooled Fund "started
  the year at £33,113.94", "£2,000" spent and "£19,350" allocated to two DHRs, yet "£9,598.94 remaining";
  33,113.94 - 2,000 - 19,350 = 11,763.94, so the minutes are £2,165.00 short.
- South Cambridgeshire 2019/20 spending plan: "Pooled Fund Start Balance £11,598.94", but 2018/19's plan
  leaves 33,113.94 - 21,350.00 = 11,763.94 in the pool: £165.00 less brought forward than carried.
- Cambridge 2019/20 end-of-year report (seed 004): the table shows £6,734.18 in the Pooled Fund and
  £972.00 in the Community Safety Fund (£7,706.18), but "Total remaining £6,694.17", and paragraph 2.4
  gives the Pooled Fund as £5,722.17 and the total as £6,694.17: £1,012.01 of "other expenses including
  county workshop" is never itemised (three figures differ by -£1,012.01).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from csp.config import load_partnership
from csp.settings import PROJECT_ROOT
from csp.store import models
from csp.store.db import session_scope
from tasks.finance.budget import all_checks, discrepancies
from tasks.finance.load import budget_files, import_budget
from tasks.finance.money import MoneyError, parse_pence, pounds
from tasks.finance.summary import two_year_summary
from tasks.sheets import SheetError

PARTNERS = PROJECT_ROOT / "data" / "partners"


def _load(url: str, pid: str) -> None:
    import_budget(url, load_partnership(pid), budget_files(PARTNERS / pid / "budget"))


def _figures(url: str, pid: str, year: str) -> dict[str, int]:
    from tasks.finance.budget import load_year

    with session_scope(url) as session:
        return load_year(session, pid, year).computed()


@pytest.mark.parametrize(("text", "pence"), [
    ("£33,113.94", 3311394), ("-£250.00", -25000), ("£0.00", 0), ("£165", 16500), ("(250.00)", -25000),
    ("TBC", None), ("", None), ("1234.5", 123450),
])
def test_money_cells_become_exact_pence(text, pence):
    assert parse_pence(text) == pence


@pytest.mark.parametrize("text", ["£1,234.5O", "£12,34.00", "£1.234", "=SUM(B2:B4)", "£1,234.567", "ten pounds"])
def test_money_cells_that_are_not_money_are_refused(text):
    with pytest.raises(MoneyError, match="not an amount of money"):
        parse_pence(text)


def test_pounds_prints_as_the_seeds_do():
    assert pounds(3311394) == "£33,113.94" and pounds(-25000) == "-£250.00" and pounds(None) == ""


def test_south_cambridgeshire_plans_reproduce_their_printed_totals(db_url):
    _load(db_url, "south-cambridgeshire")
    y1, y2 = _figures(db_url, "south-cambridgeshire", "2018-19"), _figures(db_url, "south-cambridgeshire", "2019-20")
    # 2018/19 as printed: TOTAL FUNDING AVAILABLE, TOTALS row, OPCC/Pooled elements, TOTAL FUNDS ALLOCATED
    assert (y1["funding_total"], y1["profiled_total"], y1["outturn_total"]) == (4411394, 3151500, 2822000)
    assert (y1["grant_total"], y1["pool_total"], y1["allocated_total"]) == (687000, 2135000, 2822000)
    # 2019/20 (the OPCC grant is 'TBC': left out, not counted as zero by accident)
    assert (y2["funding_total"], y2["profiled_total"], y2["outturn_total"]) == (1572894, 1100000, 100000)
    assert (y2["grant_total"], y2["pool_total"]) == (100000, 1000000)
    # the grant rolls over exactly: 11,000 - 6,870 = 4,130 as the 2019/20 plan says
    assert y1["balance:grant"] == 413000
    with session_scope(db_url) as session:
        tbc = session.scalars(select(models.Funding).where(models.Funding.amount_pence.is_(None))).all()
        assert [(f.financial_year, f.amount_text) for f in tbc] == [("2019-20", "TBC")]
        assert session.scalar(select(func.count()).select_from(models.BudgetLine)) == 6 + 3


def test_every_discrepancy_in_the_seeds_is_flagged_with_its_amount(db_url):
    _load(db_url, "south-cambridgeshire")
    _load(db_url, "cambridge")
    south = discrepancies(db_url, "south-cambridgeshire")
    assert sorted((c.year, c.figure, c.difference_pounds) for c in south) == [
        ("2018-19", "balance:pool", Decimal("-2165.00")),
        ("2019-20", "brought_forward:pool", Decimal("-165.00")),
    ]
    minutes = next(c for c in south if c.figure == "balance:pool")
    assert (minutes.reported, minutes.computed) == (959894, 1176394)
    assert "Minutes of 12 February 2019" in minutes.reported_source
    assert "2018-19_items_seed.csv" in minutes.computed_from
    carried = next(c for c in south if c.figure == "brought_forward:pool")
    assert "2019-20_funding_seed.csv row 2" in carried.reported_source and "2018-19" in carried.computed_from
    cambridge = discrepancies(db_url, "cambridge")
    assert sorted((c.figure, c.reported, c.computed, c.difference) for c in cambridge) == [
        ("balance:pool", 572217, 673418, -101201),
        ("balance_total", 669417, 770618, -101201),
        ("balance_total", 669417, 770618, -101201),
    ]
    assert {c.reported_source.split(" row ")[0] for c in cambridge} == {
        "2019-20_financial_report_seed.csv", "reported_figures_seed.csv"}


def test_figures_that_add_up_are_reported_as_agreeing(db_url):
    _load(db_url, "cambridge")
    agreeing = {(c.figure, c.reported) for c in all_checks(db_url, "cambridge") if c.agrees}
    assert agreeing == {("funding_total", 795618), ("after_spend_total", 770618), ("balance:pool", 673418),
                        ("balance:grant", 97200)}


def test_two_year_summary_for_the_scrutiny_report(db_url):
    _load(db_url, "south-cambridgeshire")
    summary = two_year_summary(db_url, load_partnership("south-cambridgeshire"), "2018-19")
    assert summary.years == ("2018-19", "2019-20")
    assert summary.value("Total funding available", "2018-19") == 4411394
    assert summary.value("Balance carried forward: Pooled Fund", "2018-19") == 1176394
    assert summary.value("Balance carried forward: Pooled Fund", "2019-20") == 1159894 - 1000000
    table = summary.table()
    assert table[0] == ["", "2018-19", "2019-20"]
    grant = next(row for row in table if row[0] == "Grant from the Police and Crime Commissioner")
    assert grant == ["Grant from the Police and Crime Commissioner", "£5,000.00", "TBC"]
    assert {c.figure for c in summary.discrepancies} == {"balance:pool", "brought_forward:pool"}


def test_reimporting_the_same_tables_changes_nothing(db_url):
    _load(db_url, "south-cambridgeshire")
    _load(db_url, "south-cambridgeshire")
    with session_scope(db_url) as session:
        counts = [session.scalar(select(func.count()).select_from(m))
                  for m in (models.Funding, models.BudgetLine, models.ReportedFigure)]
    assert counts == [6, 9, 1 + 4 + 1 + 4 + 9]


def _csv(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


BAD_TABLES = [
    ("2020-21_funding.csv", "FUNDING SOURCE,AMOUNT\nPooled Fund Start Balance,\"£1,234.5O\"\n", "row 2",
     "AMOUNT", "not an amount of money"),
    ("2020-21_funding.csv", "FUNDING SOURCE,AMOUNT\nPooled Fund Start Balance,=SUM(B3:B4)\n", "row 2", "AMOUNT",
     "a formula"),
    ("2020-21_items.csv", "ITEM,PROFILED BUDGET,NOTES AND CONTEXT,OPCC,POOLED\nX,£1.00,,,\n", "row 1",
     "OUTTURN / COMMITTED", "missing column"),
    ("2020-21_funding.csv", "FUNDING SOURCE,AMOUNT\nMoney from somewhere,£10.00\n", "row 2", "FUND",
     "which fund"),
    ("reported.csv", "FINANCIAL YEAR,FIGURE,LABEL,AMOUNT,SOURCE\n2020-21,grand_total,x,£1.00,y\n", "row 2",
     "FIGURE", "unknown figure"),
]


@pytest.mark.parametrize(("name", "text", "row", "column", "rule"), BAD_TABLES)
def test_a_bad_budget_table_is_refused_whole(sqlite_url, tmp_path, name, text, row, column, rule):
    config = load_partnership("south-cambridgeshire")
    good = budget_files(PARTNERS / "south-cambridgeshire" / "budget")
    bad = _csv(tmp_path, name, text)
    with pytest.raises(SheetError) as caught:
        import_budget(sqlite_url, config, [*good, bad])
    message = str(caught.value)
    assert f"{name}, {row}, column '{column}'" in message and rule in message
    with session_scope(sqlite_url) as session:  # the good files were not imported either
        assert session.scalar(select(func.count()).select_from(models.Funding)) == 0


def test_a_formula_in_an_xlsx_budget_is_refused(sqlite_url, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["FUNDING SOURCE", "AMOUNT"])
    sheet.append(["Pooled Fund Start Balance", 100])
    sheet.append(["TOTAL FUNDING AVAILABLE", "=SUM(B2:B2)"])
    path = tmp_path / "2020-21_funding.xlsx"
    book.save(path)
    with pytest.raises(SheetError, match=r"2020-21_funding.xlsx, row 3, column 'AMOUNT': a formula"):
        import_budget(sqlite_url, load_partnership("south-cambridgeshire"), [path])


def test_the_seed_tables_import_from_xlsx_too(db_url, tmp_path):
    import csv

    paths = []
    for source in budget_files(PARTNERS / "cambridge" / "budget"):
        book = Workbook()
        for row in csv.reader(source.read_text(encoding="utf-8").splitlines()):
            book.active.append([float(c.replace("£", "").replace(",", "")) if c.startswith("£") else c
                                for c in row])  # amounts as numbers, as a spreadsheet would hold them
        path = tmp_path / source.with_suffix(".xlsx").name
        book.save(path)
        paths.append(path)
    import_budget(db_url, load_partnership("cambridge"), paths)
    assert _figures(db_url, "cambridge", "2019-20")["balance:pool"] == 673418
    assert sorted(c.difference for c in discrepancies(db_url, "cambridge")) == [-101201] * 3
