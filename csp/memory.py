"""Keeping a long-lived process's memory flat: at most a few malloc arenas.

glibc gives each thread that allocates under contention an arena of its own (up to eight per core)
and returns little of a fragmented arena to the system. One process running London's boroughs in
turn, each through Prefect's thread pool, grew by 20-60 MiB a borough; with two arenas it levels off
after the third. (A Dask worker of a national run grew for other reasons too, dealt with elsewhere:
docs/performance.md.)

``MALLOC_ARENA_MAX`` is glibc's own setting: it is read when a process starts, so it is set here for
the processes this one starts (Dask workers, the side process inherits it anyway) and applied to this
one with ``mallopt``. A value already in the environment is respected. Elsewhere than glibc, nothing.
"""

from __future__ import annotations

import ctypes
import os
from functools import cache

DEFAULT_ARENAS = "2"
_M_ARENA_MAX = -8  # glibc's malloc.h


def limit_malloc_arenas() -> int | None:
    """Apply ``MALLOC_ARENA_MAX`` (default 2) here and to child processes; the number, or None where
    the C library has no such setting."""
    arenas = os.environ.setdefault("MALLOC_ARENA_MAX", DEFAULT_ARENAS)
    mallopt = _mallopt()
    try:
        count = int(arenas)
    except ValueError:
        return None
    return count if mallopt is not None and count > 0 and mallopt(_M_ARENA_MAX, count) == 1 else None


@cache
def _mallopt():  # noqa: ANN202 - a ctypes function, or None
    """The C library's ``mallopt``, looked up once (the symbols already loaded in this process)."""
    try:
        return ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None
