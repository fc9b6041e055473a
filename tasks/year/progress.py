"""Progress of a long run, for whoever is watching: the command line subscribes a rich progress bar,
the flow logs each step to Prefect. Listeners are per process (the command line runs the flow in its
own process; on a worker nobody subscribes and only the logs remain)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

Listener = Callable[[str, str], None]  # (step, outcome)
_listeners: list[Listener] = []


@contextlib.contextmanager
def listening(listener: Listener) -> Iterator[None]:
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def report(step: str, outcome: str) -> None:
    for listener in list(_listeners):
        listener(step, outcome)
