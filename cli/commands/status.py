"""`csp status`: where each partnership's year stands.

Without ``-p``: one table, a row per partnership (its current cycle, where the year stands, what is
next). With ``-p``: that partnership's sources and the year as a timeline, stages in pipeline order,
with the papers' paths and a warning where a paper predates the assessment it quotes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from cli.commands.common import PARTNERSHIP_HELP, partnerships
from csp.settings import get_settings

if TYPE_CHECKING:
    from csp.config import Partnership

STATE_COLOURS = {"done": typer.colors.GREEN, "waiting": typer.colors.YELLOW, "failed": typer.colors.RED,
                 "running": typer.colors.CYAN}


def _cycle_for(config: Partnership, cycle: str | None) -> str:
    from csp.year import current_cycle

    return cycle or current_cycle(config)


def _table(url: str, configs: list[Partnership], cycle: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from tasks.year.timeline import timeline

    table = Table(title="Community Safety Partnerships: where each year stands")
    for column in ("Partnership", "Cycle", "Status", "Where the year stands", "Steps done"):
        table.add_column(column)
    for config in configs:
        name = _cycle_for(config, cycle)
        year = timeline(url, config, name)
        done = sum(1 for s in year.steps if s.state == "done")
        table.add_row(config.id, name, year.status, year.where, f"{done}/{len(year.steps)}")
    Console(width=140).print(table)


def _detail(url: str, config: Partnership, cycle: str | None) -> None:
    from sqlalchemy import select

    from cli.commands.ingest import _status_sources
    from csp.store import models
    from csp.store.db import session_scope, shown_status
    from tasks.year.timeline import PIPELINE, timeline

    name = _cycle_for(config, cycle)
    typer.secho(f"== {config.name} ({config.id})", bold=True)
    with session_scope(url) as session:
        _status_sources(session, config.id)
        cycle_row = session.scalar(select(models.Cycle).where(models.Cycle.partnership_id == config.id,
                                                              models.Cycle.name == name))
        runs = [] if cycle_row is None else session.scalars(
            select(models.StageRun).where(models.StageRun.cycle_id == cycle_row.id)
            .order_by(models.StageRun.started_at.desc(), models.StageRun.id.desc())).all()
        latest = {}
        for run in runs:
            latest.setdefault(run.stage, run)
        blocking = [] if cycle_row is None else session.scalars(select(models.ValidationResult).where(
            models.ValidationResult.cycle_id == cycle_row.id, models.ValidationResult.severity == "blocking",
            models.ValidationResult.success.is_(False))).all()
        blocking_text = [f"{r.suite}: {r.message}" for r in blocking]
        stage_lines = [_stage_line(stage, run, shown_status(run))
                       for stage in PIPELINE if (run := latest.get(stage)) is not None]
    year = timeline(url, config, name)
    typer.echo(f"\n  cycle {name}: {year.where}")
    for step in year.steps:
        colour = STATE_COLOURS.get(step.state)
        typer.secho(f"    {step.name:<44} {step.state:<8} {step.when_text:<17} {step.detail}", fg=colour)
        for path in step.paths:
            typer.echo(f"        {path}")
    if stage_lines:
        typer.echo("\n  stage runs (pipeline order):")
        for stage, status, when, message in stage_lines:
            typer.echo(f"    {stage:<22} {status:<10} {when}  {message}")
    for text in blocking_text:
        typer.secho(f"    BLOCKING {text}", fg=typer.colors.RED)
    for warning in year.warnings:
        typer.secho(f"  warning: {warning}", fg=typer.colors.YELLOW)


def _stage_line(stage: str, run, shown: str) -> tuple[str, str, str, str]:  # noqa: ANN001 - a StageRun
    detail = (run.message or "").splitlines()[0][:200] if run.message else ""
    if shown == "interrupted":
        detail = f"its process ({run.host}, pid {run.pid}) is gone; run the stage again"
    return stage, shown, f"{run.started_at:%Y-%m-%d %H:%M}", detail


def status(
    partnership: str = typer.Option(None, "--partnership", "-p", help=PARTNERSHIP_HELP + " (default: a "
                                    "table of every partnership)"),
    cycle: str = typer.Option(None, "--cycle", "-c", help="Cycle, e.g. 2025-26 (default: the current one: "
                              "the newest whose period has ended and is published)"),
) -> None:
    """Where the year stands: every partnership in one table, or one partnership's timeline (-p)."""
    from csp.store.db import migrate

    url = get_settings().database_url
    migrate(url)
    if partnership is None or partnership == "all":
        _table(url, partnerships("all"), cycle)
        return
    for config in partnerships(partnership):
        _detail(url, config, cycle)


def register(app: typer.Typer) -> None:
    app.command()(status)
