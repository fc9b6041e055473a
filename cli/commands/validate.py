"""`csp validate`: check a cycle's stored data as a whole and say what blocks it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import typer

from cli.commands.common import PARTNERSHIP_HELP, fail, guarded, partnerships
from csp.settings import get_settings

if TYPE_CHECKING:
    from tasks.validate import CycleValidation


def _coverage(result: CycleValidation) -> None:
    table = result.coverage.copy()
    table.index = [f"{kind}{' *' if result.required.get(kind) else ''}" for kind in table.index]
    table.columns = [pd_month[2:] for pd_month in table.columns]  # '24-10': keeps 12 months on one screen
    typer.echo("Coverage: stored rows per month (* required source)")
    typer.echo(table.to_string() if len(table) else "  no monthly sources configured")


def _quarantine(result: CycleValidation) -> None:
    typer.echo("Rows per current file:")
    if not result.quarantined:
        typer.echo("  no current files in the store: run csp ingest")
        return
    typer.echo(f"  {'source':<12} {'file':<44} {'read':>7} {'accepted':>8} {'quarant.':>8} {'outside':>7} {'no LSOA':>7}")
    for q in result.quarantined:
        typer.echo(f"  {q['kind']:<12} {q['file'][-44:]:<44} {q['rows_read']:>7,} {q['rows_accepted']:>8,} "
                   f"{q['rows_quarantined']:>8,} {q['rows_outside_area']:>7,} {q['rows_unlocated']:>7,}")


def _problems(result: CycleValidation) -> None:
    for title, items, colour in (("Warnings", result.warnings, typer.colors.YELLOW),
                                 ("Blocking failures", result.blocking, typer.colors.RED)):
        typer.secho(f"{title}: {len(items)}", bold=True)
        for item in items:
            typer.secho(f"  - {item}", fg=colour)


def _print(result: CycleValidation, docs: bool) -> None:
    typer.secho(f"== {result.partnership_id} {result.cycle} ({result.period_label}): {result.status}", bold=True)
    _coverage(result)
    _problems(result)
    _quarantine(result)
    rates = result.match_rates
    from tasks.validate.matching import describe_mapping

    census = 2021 if rates.vintage == 2021 else 2011
    typer.echo(f"Crime rows matching the Census {census} population: by LSOA code {rates.lsoa.describe()}; "
               f"by MSOA {rates.msoa.describe()}; without an LSOA {rates.rows_without_lsoa:,}")
    typer.echo(f"LSOA placement: {describe_mapping(rates)}")
    skipped = "not rebuilt (--no-docs)" if not docs else "not built (no stored data)"
    typer.echo(f"Data Docs: {result.data_docs or skipped}")
    typer.echo(f"Coverage table: {result.coverage_csv} and {result.coverage_html}")


def validate(
    partnership: str = typer.Option(..., "--partnership", "-p", help=PARTNERSHIP_HELP),
    cycle: str = typer.Option("2025-26", "--cycle", "-c", help="Cycle, e.g. 2025-26"),
    today: str = typer.Option(None, help="Treat this date (YYYY-MM-DD) as today (decides which months are due)"),
    docs: bool = typer.Option(True, "--docs/--no-docs", help="Rebuild the Great Expectations Data Docs"),
) -> None:
    """Check coverage, LSOA match rates and duplicates of a cycle's stored data; exit 1 on blocking failures."""
    from tasks.validate import validate_cycle

    try:
        when = dt.date.fromisoformat(today) if today else None
    except ValueError:
        fail(f"--today {today!r}: expected a date like 2025-11-30")
    configs = partnerships(partnership)
    for config in configs:
        guarded(lambda c=config: c.cycle(cycle))  # a bad cycle name fails before anything is read
    from csp.store.db import migrate

    url = get_settings().database_url
    migrate(url)
    blocked = False
    for config in configs:
        result = validate_cycle(url, config.id, cycle, today=when, config=config, build_docs=docs)
        _print(result, docs)
        blocked |= not result.ok
    raise typer.Exit(1 if blocked else 0)


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the main app."""
    app.command()(validate)
