"""Helpers shared by the command modules: loading configuration and reporting errors plainly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import typer

if TYPE_CHECKING:
    from csp.config import Partnership

T = TypeVar("T")

PARTNERSHIP_HELP = "Partnership id (e.g. cambridge), or 'all' for every configured partnership"


def partnerships(partnership_id: str) -> list[Partnership]:
    """One partnership, or all of them for 'all'; configuration errors end the command cleanly."""
    from csp.config import ConfigError, load_all, load_partnership
    from csp.cycle import CycleNameError

    try:
        if partnership_id == "all":
            return load_all()
        return [load_partnership(partnership_id)]
    except (ConfigError, CycleNameError) as exc:
        fail(str(exc))
        raise  # unreachable


def one_partnership(partnership_id: str) -> Partnership:
    """A command that works on one partnership: 'all' is refused with a one-line message."""
    if partnership_id == "all":
        fail("this command works on one partnership at a time; give its id")
    return partnerships(partnership_id)[0]


def store_url() -> str:
    """The configured store, migrated on first use."""
    from csp.settings import get_settings
    from csp.store.db import migrate

    url = get_settings().database_url
    migrate(url)
    return url


def fail(message: str, code: int = 2) -> None:
    typer.secho(one_paragraph(message), fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def guarded(action: Callable[[], T], *errors: type[BaseException]) -> T:
    """Run an action, turning the expected error types into a red message and exit code 2."""
    from csp.config import ConfigError
    from csp.cycle import CycleNameError

    try:
        return action()
    except (ConfigError, CycleNameError, *errors) as exc:
        fail(str(exc))
        raise  # unreachable


MAX_MESSAGE_CHARS = 2000  # a hostile input can make an error huge (a YAML bomb's value): keep it readable


def one_paragraph(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """The message cut to a readable length, saying how much was left out."""
    text = text.strip()
    if len(text) <= limit:
        return text
    return f"{text[:limit]} ... ({len(text) - limit:,} more characters not shown)"


def explain(exc: BaseException) -> str:
    """What a person sees for an error: one paragraph saying what, where, why and what to do.

    Errors the project raises on purpose already name file, row and column; they are shown as they
    are. Others get their type and first line, and the hint to re-run with --debug for the traceback."""
    from sqlalchemy.exc import DBAPIError

    from csp.config import ConfigError
    from csp.cycle import CycleNameError
    from csp.store.db import DatabaseUnreachable
    from csp.store.locks import LockBusy

    if isinstance(exc, MemoryError):
        return ("out of memory: the input (or the run) needs more memory than this machine allows; split "
                "the file into smaller ones (for example one month each), lower the size limits in "
                "CSP_MAX_* (docs/reliability.md), or run on a larger machine")
    if isinstance(exc, (DatabaseUnreachable, LockBusy, ConfigError, CycleNameError)):
        return one_paragraph(str(exc))
    if isinstance(exc, DBAPIError):
        first = str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig or exc).strip() else ""
        return one_paragraph(f"database error ({type(exc.orig or exc).__name__}): {first}; nothing of "
                             f"this step was stored. Run again with --debug for details")
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        return one_paragraph(f"cannot read or write{where}: {exc.strerror or exc}; check the path exists "
                             "and that you may write there (nothing of this step was stored)")
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, (ValueError, LookupError)):  # the project's own errors (IngestError, ...)
        return one_paragraph(text)
    return one_paragraph(f"unexpected {type(exc).__name__}: {text.splitlines()[0]} (run again with --debug "
                         "to see the traceback, and report it)")


def parse_date(value: str | None, option: str = "--today") -> dt.date | None:
    """A YYYY-MM-DD option value, or a one-line error naming the option."""
    if value is None:
        return None
    try:
        if value != value.strip():
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r}: expected a date like 2025-11-30")
        raise  # unreachable


def prefect_ready() -> None:
    """Before a command runs flows: stop servers left by killed runs, and start the temporary server
    under a watchdog (csp/prefect_server.py), unless PREFECT_API_URL names a shared server."""
    from csp.prefect_server import start_temporary_server

    start_temporary_server()
