"""`csp selfcheck`: try the hostile inputs and faults of docs/reliability.md against a scratch store
and print what happened (bad inputs tried, handled, store changes; crashes injected and recovered;
concurrent runs; peak memory on the largest archive bomb)."""

from __future__ import annotations

import typer


def selfcheck(
    postgres: str = typer.Option(None, "--postgres", help="Also run against this PostgreSQL server URL "
                                 "(a scratch database is created and dropped)"),
) -> None:
    """Try hostile inputs, a crash and two concurrent writers on a scratch store; print the tally."""
    from tasks.selfcheck.report import run_selfcheck

    failed = run_selfcheck(typer.echo, postgres)
    raise typer.Exit(1 if failed else 0)


def register(app: typer.Typer) -> None:
    app.command()(selfcheck)
