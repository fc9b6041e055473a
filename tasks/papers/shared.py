"""What every paper of a pack reads from the store, read once per pack and shared by all contexts.

The strategic assessment, its summary, the priorities paper and the data-quality report (each in up to
two versions) all draw on the cycle's metrics and recommendations. They are read once, kept here (four
entries per process) and shared, read-only, by every context built from the same store state: each
entry's key includes a cheap summary of the rows it was read from (tasks/papers/inputs.py), so a change
to the store is read afresh. Callers must not modify what they receive.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy.orm import Session

from tasks.papers.memo import Recent

SIZE = 4  # a pack needs two (metrics, recommendations); a metrics entry is about 20 MB for Cambridge
_ENTRIES = Recent(SIZE)  # one reader per entry: the contexts of a pack are built in threads


def session_url(session: Session) -> str:
    return session.get_bind().url.render_as_string(hide_password=False)


def shared(key: Hashable, compute: Callable[[], Any]) -> Any:
    """The value kept under ``key``, computed once (other threads wait for it rather than repeat it)."""
    return _ENTRIES.compute(key, compute)


def clear() -> None:
    _ENTRIES.clear()
