"""`csp papers` commands: draft a meeting's board pack, list drafted papers, check templates."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.commands.common import PARTNERSHIP_HELP, guarded, partnerships, prefect_ready, store_url

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

    url = store_url()
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
    cycle: str | None = typer.Option(None, "--cycle", "-c", help="Cycle (default: the current one)"),
    history: bool = typer.Option(False, "--all", help="Every draft, not only the latest of each paper"),
) -> None:
    """Each meeting's pack in pack order, with its zip and manifest; then the TCG and Scrutiny reports."""
    from tasks.papers.pack import list_papers

    url = store_url()
    for config in partnerships(partnership):
        from csp.year import current_cycle

        name = cycle or current_cycle(config)
        rows = list_papers(url, config.id, name, latest_only=not history)
        if not rows:
            typer.echo(f"{config.id} {name}: no papers drafted yet (csp papers draft, or csp cycle run)")
            continue
        typer.echo(f"{config.id} {name}:")
        for meeting, group in _by_meeting(config, name, rows):
            folder = Path(group[0].path).parent
            typer.secho(f"  {meeting}  ({folder})", bold=True)
            for row in sorted(group, key=lambda r: (Path(r.path).name, r.drafted_at)):
                missing = "" if row.exists else "  [file no longer there]"
                typer.echo(f"    {Path(row.path).name}{missing}\n      drafted {row.drafted_at:%Y-%m-%d %H:%M}, "
                           f"run {row.run_id or '-'}")
            for extra in [*sorted(folder.glob("*.zip")), folder / "manifest.json"]:
                if extra.exists():
                    typer.echo(f"    {extra.name}")


def _by_meeting(config, cycle: str, rows: list) -> list[tuple[str, list]]:  # noqa: ANN001 - Partnership
    """Rows grouped by meeting, meetings in date order, the year's own papers (TCG, Scrutiny) last."""
    from csp.year import cycle_meetings

    order = {m.id: i for i, m in enumerate(cycle_meetings(config, cycle))}
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.meeting, []).append(row)
    return sorted(groups.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


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
