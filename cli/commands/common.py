"""Helpers shared by the command modules: loading configuration and reporting errors plainly."""

from __future__ import annotations

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


def fail(message: str, code: int = 2) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)
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
