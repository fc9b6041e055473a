"""`csp papers` commands: draft a meeting's board pack, list drafted papers, check templates."""

from __future__ import annotations

import typer

from cli.commands.common import PARTNERSHIP_HELP, guarded, partnerships, prefect_ready
from csp.settings import get_settings

app = typer.Typer(no_args_is_help=True)


def _errors() -> tuple[type[BaseException], ...]:
    """The failures a user can fix (template, agenda, missing stage, forbidden content): no traceback."""
    from csp.store.db import MissingStageError
    from tasks.papers.agenda import AgendaError
    from tasks.papers.ctx_assessment import MissingChartError
    from tasks.papers.lint import TemplateCheckError
    from tasks.papers.pack import PublicationError
    from tasks.papers.render import RenderError

    return (AgendaError, MissingChartError, TemplateCheckError, PublicationError, RenderError,
            MissingStageError, ValueError)


def _store_url() -> str:
    from csp.store.db import migrate

    url = get_settings().database_url
    migrate(url)
    return url


@app.command()
def draft(
    partnership: str = typer.Option(..., "--partnership", "-p", help=PARTNERSHIP_HELP),
    cycle: str = typer.Option(..., "--cycle", "-c", help="Cycle, e.g. 2025-26"),
    meeting: str = typer.Option(..., "--meeting", "-m", help="Meeting id from the configuration, "
                                "e.g. board-2026-02"),
    paper: list[str] = typer.Option(None, "--paper", help="Only this paper (repeatable), e.g. agenda"),
) -> None:
    """Draft the meeting's board pack (Word papers, manifest, zip) with the draft-board-papers flow."""
    from flows.draft_board_papers import draft_board_papers

    url = _store_url()
    prefect_ready()
    for config in partnerships(partnership):
        guarded(lambda c=config: c.cycle(cycle))
        result = guarded(lambda c=config: draft_board_papers(c.id, cycle, meeting, papers=paper or None,
                                                             database_url=url), *_errors())
        typer.echo(f"{config.id} {cycle} {meeting}: {len(result['papers'])} paper(s) in {result['folder']}")
        for item in result["papers"]:
            typer.echo(f"  {item['file']}")
        typer.echo(f"  archive: {result['archive']}")


@app.command("list")
def list_(
    partnership: str = typer.Option(..., "--partnership", "-p", help=PARTNERSHIP_HELP),
    cycle: str | None = typer.Option(None, "--cycle", "-c", help="Only this cycle"),
    history: bool = typer.Option(False, "--all", help="Every draft, not only the latest of each paper"),
) -> None:
    """Where each drafted paper is, when it was drafted and from which run."""
    from tasks.papers.pack import list_papers

    url = _store_url()
    for config in partnerships(partnership):
        rows = list_papers(url, config.id, cycle, latest_only=not history)
        if not rows:
            typer.echo(f"{config.id}: no papers drafted yet (csp papers draft)")
            continue
        typer.echo(f"{config.id}:")
        for row in rows:
            missing = "" if row.exists else "  [file no longer there]"
            typer.echo(f"  {row.cycle} {row.meeting} {row.paper} ({row.version}) drafted "
                       f"{row.drafted_at:%Y-%m-%d %H:%M} run {row.run_id or '-'}\n    {row.path}{missing}")


@app.command()
def check(
    partnership: str = typer.Option(..., "--partnership", "-p", help=PARTNERSHIP_HELP),
    cycle: str = typer.Option(..., "--cycle", "-c", help="Cycle, e.g. 2025-26"),
    meeting: str = typer.Option(..., "--meeting", "-m", help="Meeting id, e.g. board-2026-02"),
) -> None:
    """Check the templates a pack would use (after editing them in Word), without drafting anything."""
    from tasks.papers.pack import check_pack_templates, plan_pack

    for config in partnerships(partnership):
        plan = guarded(lambda c=config: plan_pack(c, cycle, meeting), *_errors())
        reports = guarded(lambda p=plan: check_pack_templates(p), *_errors())
        for report in reports:
            typer.echo(f"ok  {report.template}")
            for warning in report.warnings:
                typer.echo(f"    note: {warning}")
