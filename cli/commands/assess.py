"""`csp assess`: run the strategic assessment for one partnership (or all) and print the headlines."""

from __future__ import annotations

import textwrap

import typer

from cli.commands.common import PARTNERSHIP_HELP, explain, partnerships, prefect_ready
from csp.settings import get_settings

CYCLE_OPTION = typer.Option("2025-26", "--cycle", "-c", help="Cycle, e.g. 2025-26")
WIDTH = 100


def print_headlines(partnership_id: str, headlines: list[dict[str, str]]) -> None:
    """The headline findings as a two-column table (theme, public text)."""
    typer.echo(f"{'theme':<16} finding")
    typer.echo(f"{'-' * 16} {'-' * (WIDTH - 17)}")
    for finding in headlines:
        lines = textwrap.wrap(finding["text"], WIDTH - 17) or [""]
        typer.echo(f"{finding['theme']:<16} {lines[0]}")
        for line in lines[1:]:
            typer.echo(f"{'':<16} {line}")
    if not headlines:
        typer.echo(f"(no headline findings stored for {partnership_id})")


def assess(
    partnership: str = typer.Option(..., "--partnership", "-p", help=PARTNERSHIP_HELP),
    cycle: str = CYCLE_OPTION,
    local: bool = typer.Option(False, "--local", help="Run without Prefect (no caching, no artifact)"),
    restricted: bool = typer.Option(False, "--restricted",
                                    help="Print the analysts' text (small numbers shown), not the public text"),
    accept_incomplete: bool = typer.Option(
        False, "--accept-incomplete",
        help="Assess a cycle whose validation blocked (e.g. months missing); papers state the months present"),
) -> None:
    """Strategic assessment: levels, change, places, hotspots, findings and charts; prints the headlines."""
    from csp.store.db import migrate
    from flows.strategic_assessment import strategic_assessment
    from tasks.assess.run import assess_partnership
    from tasks.assess.store import headline_findings
    from tasks.validate.gate import CycleBlocked

    url = get_settings().database_url
    migrate(url)
    failed = []
    if not local:
        prefect_ready()
    for config in partnerships(partnership):
        config.cycle(cycle)  # a bad cycle name fails before anything runs
        typer.secho(f"== {config.name} ({config.id}), cycle {cycle}", bold=True)
        try:
            if local:
                summary = assess_partnership(url, config, cycle, accept_incomplete=accept_incomplete)
            else:
                summary = strategic_assessment(config.id, cycle, database_url=url,
                                               accept_incomplete=accept_incomplete)
        except CycleBlocked as exc:
            typer.secho(str(exc), fg=typer.colors.RED, err=True)
            failed.append(config.id)
            continue
        except Exception as exc:  # noqa: BLE001 - report and carry on with the other partnerships
            typer.secho(f"FAILED {config.id}: {explain(exc)}", fg=typer.colors.RED, err=True)
            failed.append(config.id)
            continue
        typer.echo(f"stored {summary['metrics']:,} metrics, {summary['findings']} findings, "
                   f"{summary['charts']} charts")
        for note in summary.get("notes", []):
            typer.secho(f"note: {note}", fg=typer.colors.YELLOW)
        print_headlines(config.id, headline_findings(url, config.id, cycle, public=not restricted))
    raise typer.Exit(1 if failed else 0)


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the main app."""
    app.command("assess")(assess)
