"""Pieces every stage's Prefect tasks share: a digest of a stage's code for cache keys, and the rule
that decides which failures are worth a retry."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def package_sources(folder: Path, pattern: str = "*.py") -> list[Path]:
    return sorted(folder.glob(pattern))


def source_digest(paths: Iterable[Path], length: int = 16) -> str:
    """A hash of a stage's source files (and suites): results cached under an older version of the
    rules must not be reused, and Prefect's TASK_SOURCE only sees the thin task function itself."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:length]


def retry_on_io(task, task_run, state) -> bool:  # noqa: ANN001 - Prefect's callback signature
    """Retry a file share or disk hiccup (OSError); never a failure about the content of the data."""
    try:
        state.result()
    except OSError:
        return True
    except Exception:  # noqa: BLE001 - anything else is not transient
        return False
    return False


@contextmanager
def own_transactions() -> Iterator[None]:
    """Run a sub-flow with no enclosing Prefect transaction, so each of its tasks commits on its own.

    A task that calls a flow (the cycle's stage tasks, the national run's partnership tasks) wraps
    that flow in its own transaction; every task of the flow then stages its result in it, and
    Prefect keeps those results (rendered papers, assessment tables) until the outer task ends, and
    after: its event-loop thread holds contexts that reach them for as long as the process lives.
    A Dask worker of the national run grew by about 30 MB a partnership this way. Detached, each
    task's result is persisted (where it is cached) as soon as the task ends, a failure later in the
    stage keeps what had finished, and nothing of a finished partnership stays in memory.
    """
    from prefect.transactions import Transaction

    token = Transaction.__var__.set(None)  # type: ignore[arg-type] - "no transaction", as get_transaction reads it
    try:
        yield
    finally:
        Transaction.__var__.reset(token)


@dataclass(frozen=True)
class Unchanged:
    """A stage's result taken as it stands, without running the stage's flow: nothing the stage reads
    changed since it last ran and what it wrote is intact. ``note`` says so in the cycle's log."""

    note: str
    result: Any


class GroupLanes:
    """Hands out items to lanes (workers) group by group: a lane keeps to its group while the group has
    items, then takes the first group no other lane holds, and only when every group is held joins the
    one with the most items left.

    The national run's groups are police forces, largest first: each force's files are then read
    and validated by one worker (its cache serves the rest), where two workers sharing every force
    did it twice; and as the lanes ask for work only when they have room for it, neither waits while
    the other has a queue, whatever the forces' sizes.
    """

    def __init__(self, groups: Sequence[Sequence[str]]) -> None:
        self._left = [list(group) for group in groups]
        self._held: dict[int, int] = {}  # lane -> the group it works on

    def next_for(self, lane: int) -> str | None:
        """The next item for ``lane``, or None when every group is done."""
        group = self._held.get(lane)
        if group is None or not self._left[group]:
            group = self._choose(lane)
            if group is None:
                return None
            self._held[lane] = group
        return self._left[group].pop(0)

    def _choose(self, lane: int) -> int | None:
        others = {held for other, held in self._held.items() if other != lane}
        free = [g for g, left in enumerate(self._left) if left and g not in others]
        if free:
            return free[0]
        busy = [g for g, left in enumerate(self._left) if left]
        return max(busy, key=lambda g: len(self._left[g])) if busy else None
