"""`csp cycle run` and `csp cycle resume`: the partnership's whole year, as Prefect flows.

``run`` goes from the files to the board pack and then, with the board's decision supplied
(``--decisions FILE`` or ``--accept-recommendations``), on to the plan, the action plan, the quarterly
reports that are due and the Scrutiny report. Without a decision it stops at the board; record the
decisions (`csp priorities decide/import-decisions`) and ``resume``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import typer

from cli.commands.common import PARTNERSHIP_HELP, fail, guarded, parse_date, partnerships

UNTIL = ("board",)
STEPS = ("ingest", "assessment", "recommendations", "board pack", "board", "plan", "action plan",
         "monitoring", "scrutiny")


def _errors() -> tuple[type[BaseException], ...]:
    from pydantic import ValidationError

    from csp.store.db import MissingStageError
    from flows.quarterly_monitoring import QuarterNotReadyError
    from tasks.ingest.report import BlockingProblems
    from tasks.papers.lint import TemplateCheckError
    from tasks.prioritise.decisions import DecisionError
    from tasks.validate.gate import CycleBlocked
    from tasks.year.guard import CycleBusyError

    return (BlockingProblems, CycleBlocked, CycleBusyError, DecisionError, MissingStageError, QuarterNotReadyError,
            TemplateCheckError, ValidationError)


def _report(result: dict) -> None:
    from flows.annual_cycle import WAITING_FOR_BOARD

    pack = result.get("pack") or {}
    name = f"{result['partnership']} {result['cycle']}"
    if pack:
        typer.secho(f"{name}: board pack for {result['meeting']} in {pack.get('folder')}", fg=typer.colors.GREEN)
    if result.get("status") == WAITING_FOR_BOARD:
        typer.secho(f"{name}: waiting for the board. Record the decisions (csp priorities decide / "
                    f"import-decisions -p {result['partnership']} -c {result['cycle']}), then "
                    f"csp cycle resume -p {result['partnership']} -c {result['cycle']}", fg=typer.colors.YELLOW)
        return
    if result.get("plan"):
        typer.secho(f"{name}: plan and terms of reference in {result['plan']['folder']}", fg=typer.colors.GREEN)
    for report in result.get("monitoring") or []:
        typer.secho(f"{name}: {report['label']} TCG report {report['file']}", fg=typer.colors.GREEN)
    if result.get("scrutiny"):
        typer.secho(f"{name}: Scrutiny report {result['scrutiny']['file']}", fg=typer.colors.GREEN)
    typer.echo(f"{name}: {result.get('status', '')}")


@contextlib.contextmanager
def _progress(partnership: str) -> Iterator[None]:
    """A rich progress line on stderr while the year's stages run (the logs stay as they are)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from tasks.year.progress import listening

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
               "{task.total} steps"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        bar = progress.add_task(f"{partnership}: starting", total=len(STEPS))

        def update(step: str, outcome: str) -> None:
            done = outcome != "started"
            progress.update(bar, advance=1 if done else 0, description=f"{partnership}: {step} {outcome}")

        with listening(update):
            yield


# What the stages import on first use, imported while the temporary server is still starting (the wait
# is otherwise idle): the stages' flows, then validation, statistics, charts and Word. A run that needs
# some of them only on a cold cycle (GX, statsmodels) stops importing once the server answers.
# Imported while the temporary server starts: the stage flows always (every cycle runs them), then,
# while it is still starting, what a cold run will need (a re-run needs none of them).
STAGE_FLOWS = ("flows.ingest_and_validate", "flows.strategic_assessment", "flows.recommend_priorities",
               "flows.draft_board_papers")
WARM_IMPORTS = ("great_expectations", "statsmodels.genmod.generalized_linear_model", "matplotlib.pyplot", "docxtpl")


def run(
    partnership: str = typer.Option("cambridge", "--partnership", "-p", help=PARTNERSHIP_HELP),
    cycle: str = typer.Option(None, "--cycle", "-c", help="Cycle, e.g. 2025-26 (default: the newest whose "
                              "period has ended, is published and is on disk)"),
    meeting: str = typer.Option(None, "--meeting", "-m", help="Board meeting id for the papers (default: "
                                "the cycle's first, proposed from the calendar if not configured)"),
    until: str = typer.Option(None, "--until", help="Stop after this step: 'board' (the pack is drafted)"),
    decisions: Path = typer.Option(None, "--decisions", help="The board's decisions as a filled-in "
                                   "decisions CSV (csp priorities export-decisions)", exists=True, dir_okay=False),
    accept: bool = typer.Option(False, "--accept-recommendations", help="Record every recommendation as "
                                "accepted at the board meeting"),
    today: str = typer.Option(None, "--today", help="Run as if on this date (YYYY-MM-DD): what is due"),
    accept_incomplete: bool = typer.Option(
        False, "--accept-incomplete",
        help="Go on although validation blocked (e.g. months missing); every paper states the months present"),
) -> None:
    """The year: ingest, assess, recommend, board pack; then, with the decision, plan onwards."""
    if until and until not in UNTIL:
        fail(f"--until {until!r}: expected one of {', '.join(UNTIL)}")
    when = parse_date(today)
    from csp.engines import abandon_server, begin_server, one_server

    # The server starts on the other core while the configuration is read and the stages imported; a
    # bad configuration or cycle name is still one line, before any flow starts, and stops it.
    begin_server()
    options = {"until": until, "decisions": str(decisions) if decisions else None,
               "accept_recommendations": accept, "today": when, "accept_incomplete": accept_incomplete}
    try:
        configs = partnerships(partnership)
        if cycle is not None:
            configs[0].cycle(cycle)
    except BaseException:
        abandon_server()
        raise
    from flows.annual_cycle import annual_cycle

    with one_server(warm=WARM_IMPORTS, needed=STAGE_FLOWS):  # one temporary Prefect server for every partnership of the run
        for config in configs:
            with _progress(config.id):
                result = guarded(lambda c=config: annual_cycle(c.id, cycle, meeting, **options), *_errors())
            _report(result)


def resume(
    partnership: str = typer.Option(..., "--partnership", "-p", help="Partnership id, e.g. cambridge"),
    cycle: str = typer.Option(..., "--cycle", "-c", help="Cycle, e.g. 2025-26"),
    today: str = typer.Option(None, "--today", help="Run as if on this date (YYYY-MM-DD)"),
) -> None:
    """Continue a cycle that waits for the board, once its decisions are recorded.

    A run suspended on a Prefect server is resumed there (with the recorded decisions as its input);
    otherwise the cycle continues here from the board's decision.
    """
    from flows.annual_cycle import annual_cycle
    from tasks.year.resume import resume_waiting_run

    config = partnerships(partnership)[0]
    resumed = guarded(lambda: resume_waiting_run(config, cycle), *_errors())
    if resumed:
        typer.secho(f"{config.id} {cycle}: resumed the waiting run {resumed!r} on the Prefect server",
                    fg=typer.colors.GREEN)
        return
    when = parse_date(today)
    with _progress(config.id):
        result = guarded(lambda: annual_cycle(config.id, cycle, resume=True, today=when), *_errors())
    _report(result)


def register(app: typer.Typer) -> None:
    cycle_app = typer.Typer(no_args_is_help=True, help="Run the partnership's year.")
    cycle_app.command()(run)
    cycle_app.command()(resume)
    app.add_typer(cycle_app, name="cycle")
