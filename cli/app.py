"""The ``csp`` command line: one entry point for operators, analysts and secretaries.

Each stage's commands live in ``cli/commands/<stage>.py`` and are registered here.
"""

from __future__ import annotations

import logging

import typer

from cli.commands import actions, assess, budget, cycle, ingest, papers, priorities, status, validate

logging.getLogger("great_expectations").setLevel(logging.WARNING)

app = typer.Typer(
    help="Community Safety Partnership annual cycle: ingest, validate, assess, prioritise, papers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
for module in (ingest, status, validate, assess, cycle):
    module.register(app)
app.add_typer(priorities.app, name="priorities", help="Recommendations and the board's decisions.")
app.add_typer(papers.app, name="papers", help="Draft and list the board papers.")
app.add_typer(actions.app, name="actions", help="The action register between meetings.")
app.add_typer(budget.app, name="budget", help="The partnership's budget: import, show, two-year report.")


if __name__ == "__main__":
    app()
