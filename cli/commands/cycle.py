"""`csp cycle run`: the whole annual cycle for one partnership or all, as Prefect flows."""

from __future__ import annotations

import typer

from cli.commands.common import PARTNERSHIP_HELP, partnerships, prefect_ready


def run(
    partnership: str = typer.Option("cambridge", "--partnership", "-p", help=PARTNERSHIP_HELP),
    cycle: str = typer.Option(None, "--cycle", "-c",
                              help="Cycle, e.g. 2025-26 (default: newest whose period has ended)"),
    meeting: str = typer.Option(None, "--meeting", "-m",
                                help="Board meeting id for the papers (default: the cycle's first)"),
) -> None:
    """Ingest and validate, assess, recommend priorities and draft the board pack."""
    from flows.annual_cycle import annual_cycle, annual_cycle_all

    configs = partnerships(partnership)
    if cycle is not None:
        configs[0].cycle(cycle)  # a bad cycle name is one line, before any server or flow starts
    prefect_ready()
    if partnership == "all":
        results = annual_cycle_all([c.id for c in configs], cycle)
    else:
        results = [annual_cycle(configs[0].id, cycle, meeting)]
    for result in results:
        pack = result.get("pack") or {}
        folder = pack.get("folder") if isinstance(pack, dict) else pack
        typer.secho(f"{result['partnership']} {result['cycle']}: board pack for {result['meeting']} "
                    f"in {folder}", fg=typer.colors.GREEN)


def register(app: typer.Typer) -> None:
    cycle_app = typer.Typer(no_args_is_help=True, help="Run the whole annual cycle.")
    cycle_app.command()(run)
    app.add_typer(cycle_app, name="cycle")
