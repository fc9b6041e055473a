"""The ``csp`` command line: one entry point for operators, analysts and secretaries.

Each stage's commands live in ``cli/commands/<stage>.py`` and are registered here.
"""

from __future__ import annotations

import gc
import logging

import click
import typer
from typer.core import TyperGroup

from cli.commands import (
    actions,
    assess,
    budget,
    cycle,
    ingest,
    papers,
    priorities,
    selfcheck,
    status,
    validate,
)
from cli.commands.common import explain
from csp.memory import limit_malloc_arenas

logging.getLogger("great_expectations").setLevel(logging.WARNING)
_DEBUG = {"on": False}


class PlainErrors(TyperGroup):
    """Every error a person sees is one paragraph on stderr and exit code 2; the traceback only
    with ``csp --debug ...``."""

    def invoke(self, ctx: click.Context):  # noqa: ANN201 - click's signature
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, typer.Exit, typer.Abort, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - the one place that turns errors into sentences
            if _DEBUG["on"] or isinstance(exc, KeyboardInterrupt):
                raise
            typer.secho(explain(exc), fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from None


app = typer.Typer(
    cls=PlainErrors,
    help="Community Safety Partnership annual cycle: ingest, validate, assess, prioritise, papers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _options(debug: bool = typer.Option(False, "--debug", help="Show tracebacks of errors")) -> None:
    """Community Safety Partnership annual cycle: ingest, validate, assess, prioritise, papers."""
    _DEBUG["on"] = debug
    limit_malloc_arenas()  # before any thread allocates (csp/memory.py)


for module in (ingest, status, validate, assess, cycle, selfcheck):
    module.register(app)
app.add_typer(priorities.app, name="priorities", help="Recommendations and the board's decisions.")
app.add_typer(papers.app, name="papers", help="Draft and list the board papers.")
app.add_typer(actions.app, name="actions", help="The action register between meetings.")
app.add_typer(budget.app, name="budget", help="The partnership's budget: import, show, two-year report.")


def main() -> None:
    """The ``csp`` console script.

    A cycle leaves a large heap behind (frames, Great Expectations, Prefect, rendered papers). At exit
    Python's final garbage collection walks all of it, about 1.3 s after the work is done; frozen, the
    objects are left to the operating system. Exit handlers still run as usual (Prefect sends its
    logs, the temporary server is stopped).
    """
    try:
        app()
    finally:
        gc.freeze()


if __name__ == "__main__":
    main()
