"""`csp budget` commands: import the budget tables, show a year with its checks, print the two-year
summary. Totals are always computed; a reported figure that differs is shown with both sources."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cli.commands.common import fail, guarded, one_partnership, store_url

if TYPE_CHECKING:
    from csp.config import Partnership

app = typer.Typer(no_args_is_help=True)

PartnershipOpt = typer.Option(..., "--partnership", "-p", help="Partnership id, e.g. south-cambridgeshire")


def _errors() -> tuple[type[BaseException], ...]:
    from tasks.sheets import SheetError

    return (SheetError,)


@app.command("import")
def import_(
    partnership: str = PartnershipOpt,
    paths: list[Path] = typer.Argument(None, help="Budget tables (CSV/XLSX); default: the partnership's "
                                                  "data/partners/<id>/budget folder"),
    year: str = typer.Option(None, "--year", help="Financial year when the file name does not say, e.g. 2019-20"),
) -> None:
    """Import spending plans, financial reports and reported figures: all files or none."""
    from tasks.finance.load import budget_files, default_folder, import_budget

    config = one_partnership(partnership)
    if not paths:
        folder = default_folder(config)
        if not folder.is_dir():
            fail(f"no budget folder {folder}; give the files to import")
        paths = budget_files(folder)
    for result in guarded(lambda: import_budget(store_url(), config, list(paths), year), *_errors()):
        typer.echo(result.message())
    _print_discrepancies(config)


def _print_discrepancies(config: Partnership) -> None:
    from tasks.finance.budget import discrepancies

    found = discrepancies(store_url(), config.id)
    for check in found:
        typer.secho(f"DIFFERS  {check.message()}", fg=typer.colors.YELLOW)
    typer.echo(f"{len(found)} reported figure(s) differ from the computed ones")


@app.command()
def show(
    partnership: str = PartnershipOpt,
    year: str = typer.Option(None, "--year", help="One financial year, e.g. 2019-20 (default: all)"),
) -> None:
    """Funding, lines, computed totals and the check of every reported figure."""
    from csp.store.db import session_scope
    from tasks.finance.budget import load_year, previous_year, stored_years, year_checks
    from tasks.finance.money import pounds

    config = one_partnership(partnership)
    url = store_url()
    with session_scope(url) as session:
        years = [year] if year else stored_years(session, config.id)
        budgets = [(load_year(session, config.id, y), load_year(session, config.id, previous_year(y)))
                   for y in years]
    if not years:
        fail(f"no budget stored for {config.id}; run csp budget import -p {config.id}")
    for budget, before in budgets:
        typer.secho(f"\n{budget.year}", bold=True)
        for f in budget.funding:
            typer.echo(f"  funding  {f.fund:<5} {f.kind:<16} {f.amount_text if f.amount_pence is None else pounds(f.amount_pence):>12}  {f.label}")  # noqa: E501
        for line in budget.lines:
            typer.echo(f"  line {line.position:>2}  profiled {pounds(line.profiled_pence):>11}  outturn "
                       f"{pounds(line.outturn_pence):>11}  grant {pounds(line.grant_pence):>10}  pool "
                       f"{pounds(line.pool_pence):>10}  {line.item}")
        for name, value in budget.computed().items():
            typer.echo(f"  computed {name:<20} {pounds(value):>12}")
        for check in year_checks(budget, before):
            colour = None if check.agrees else typer.colors.YELLOW
            typer.secho(f"  {'agrees ' if check.agrees else 'DIFFERS'} {check.message()}", fg=colour)


@app.command()
def report(
    partnership: str = PartnershipOpt,
    first_year: str = typer.Option(..., "--year", help="The first of the two financial years, e.g. 2018-19"),
    second_year: str = typer.Option(None, "--and", help="The second year (default: the year after)"),
    csv: Path = typer.Option(None, "--csv", help="Also write the summary table to this CSV/XLSX"),
) -> None:
    """The two-year budget summary the Scrutiny report's appendix needs."""
    from tasks.finance.summary import two_year_summary
    from tasks.sheets import write_table

    config = one_partnership(partnership)
    summary = two_year_summary(store_url(), config, first_year, second_year)
    table = summary.table()
    for row in table:
        typer.echo(f"{row[0][:60]:<60} " + " ".join(f"{c:>18}" for c in row[1:]))
    for check in summary.discrepancies:
        typer.secho(f"DIFFERS  {check.message()}", fg=typer.colors.YELLOW)
    if csv:
        write_table(csv, table[0], table[1:])
        typer.echo(f"wrote {csv}")
