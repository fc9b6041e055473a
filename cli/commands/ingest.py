"""`csp ingest`: bring partner files in (and the sources table `csp status` prints)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cli.commands.common import PARTNERSHIP_HELP, explain, parse_date, partnerships
from csp.settings import get_settings

if TYPE_CHECKING:
    from tasks.ingest.pipeline import FileReport

CYCLE_OPTION = typer.Option("2025-26", "--cycle", "-c", help="Cycle, e.g. 2025-26")


def _print_reports(reports: list[FileReport]) -> None:
    typer.echo(f"{'source':<12} {'file':<44} {'status':<9} {'read':>7} {'accepted':>8} "
               f"{'quarant.':>8} {'outside':>7} {'no LSOA':>7}  months")
    for r in reports:
        months = f"{r.months[0]}..{r.months[-1]} ({len(r.months)})" if r.months else ""
        typer.echo(f"{r.kind:<12} {r.label[-44:]:<44} {r.status:<9} {r.rows_read:>7,} "
                   f"{r.rows_accepted:>8,} {r.rows_quarantined:>8,} {r.rows_outside_area:>7,} "
                   f"{r.rows_unlocated:>7,}  {months}")
        if r.superseded:
            typer.echo(f"{'':<12} supersedes {', '.join(r.superseded)}")
    for r in reports:
        if r.status == "stored" and r.message:
            typer.secho(f"note {r.kind} {r.label}: {r.message}", fg=typer.colors.YELLOW)
        if r.status == "failed":
            typer.secho(f"FAILED {r.kind}: {r.message}", fg=typer.colors.RED, err=True)
    accepted = sum(r.rows_accepted for r in reports if r.status in ("stored", "unchanged"))
    quarantined = sum(r.rows_quarantined for r in reports if r.status in ("stored", "unchanged"))
    typer.echo(f"rows accepted {accepted:,}; rows quarantined {quarantined:,}")


def ingest(
    partnership: str = typer.Option(..., "--partnership", "-p", help=PARTNERSHIP_HELP),
    cycle: str = CYCLE_OPTION,
    source: str = typer.Option(None, "--source", "-s", help="Only this source kind"),
    path: Path = typer.Option(None, "--path", help="Ingest this file/folder/zip instead of the configured path"),
    today: str = typer.Option(None, help="Treat this date (YYYY-MM-DD) as today"),
    force: bool = typer.Option(False, "--force", help="Let a file replace one with far more rows"),
) -> None:
    """Read, check and store a partnership's partner files (idempotent: same file twice changes nothing)."""
    from csp.store.db import migrate
    from tasks.ingest.pipeline import FileReport, configured_kinds, ingest_source, record_ingest_run

    url = get_settings().database_url
    migrate(url)
    failed = False
    when = parse_date(today)
    for config in partnerships(partnership):
        config.cycle(cycle)  # a bad cycle name fails before anything is read
        typer.secho(f"== {config.name} ({config.id}), cycle {cycle}", bold=True)
        reports: list[FileReport] = []
        for kind in [source] if source else configured_kinds(config):
            try:
                reports += ingest_source(url, config, cycle, kind, path=path, today=when, force=force)
            except Exception as exc:  # noqa: BLE001 - report and carry on with other sources
                reports.append(FileReport(kind, str(path or kind), "failed", message=explain(exc)))
        _print_reports(reports)
        failed |= record_ingest_run(url, config, cycle, reports) == "failed"
    raise typer.Exit(1 if failed else 0)


def _status_sources(session, partnership_id: str) -> None:  # noqa: ANN001 - SQLAlchemy session
    from sqlalchemy import func, select

    from csp.store import models

    files = session.scalars(select(models.InputFile).where(
        models.InputFile.partnership_id == partnership_id, models.InputFile.status == "current"
    ).order_by(models.InputFile.source_kind, models.InputFile.month_min)).all()
    if not files:
        typer.echo("  nothing ingested yet: run csp ingest")
        return
    kinds: dict[str, list[models.InputFile]] = {}
    for f in files:
        kinds.setdefault(f.source_kind, []).append(f)
    typer.echo(f"  {'source':<12} {'files':>5} {'months':<24} {'rows':>9} {'quarant.':>8}  notes")
    for kind, group in kinds.items():
        months = sorted({m for f in group for m in (f.months or [])})
        span = f"{months[0]}..{months[-1]} ({len(months)})" if months else "-"
        note = "illustrative" if any(f.illustrative for f in group) else ""
        typer.echo(f"  {kind:<12} {len(group):>5} {span:<24} {sum(f.rows_accepted for f in group):>9,} "
                   f"{sum(f.rows_quarantined for f in group):>8,}  {note}")
    superseded = session.scalar(select(func.count()).select_from(models.InputFile).where(
        models.InputFile.partnership_id == partnership_id, models.InputFile.status == "superseded"))
    if superseded:
        typer.echo(f"  superseded files kept for the record: {superseded}")


def register(app: typer.Typer) -> None:
    app.command()(ingest)  # `csp status` lives in cli/commands/status.py
