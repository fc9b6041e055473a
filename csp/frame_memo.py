"""Results about a force's whole file, worked out once for all the partnerships the file serves.

A police force's monthly file is parsed once per process and shared, never modified, by every
partnership of the force (``tasks/ingest/shared.py``). Much of what each partnership's ingest then
asks of it does not depend on the partnership: where each row lies, whether another force reported
any row, which rows break a row rule. In a national run the Met's twelve files (about a million rows)
were asked the same questions by each of its 32 boroughs: those answers are kept here, keyed by the
frame's identity and what else the answer depends on, holding the frame so that an identity is never
reused for another frame. The most recent ``KEPT`` answers are kept, and a frame's answers are
dropped with the frame when the shared caches let it go (``forget``). The lookups derived from the
cached reference frames (tasks/ingest/area.py) are kept the same way.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import pandas as pd

T = TypeVar("T")
KEPT = 128  # a few answers for each of two years of monthly files

_LOCK = threading.Lock()
_ANSWERS: OrderedDict[tuple, tuple[pd.DataFrame, tuple[object, ...], Any]] = OrderedDict()


def per_frame(question: str, frame: pd.DataFrame, answer: Callable[[], T], *, depends_on: Hashable = None,
              same: tuple[object, ...] = ()) -> T:
    """``answer()`` for this frame, computed once while kept (the answer must never be modified).

    ``depends_on``: the other values the answer depends on; ``same``: objects it depends on that are
    never modified (reference frames), known by identity and held with the answer."""
    key = (question, id(frame), tuple(id(obj) for obj in same), depends_on)
    with _LOCK:
        kept = _ANSWERS.get(key)
        if kept is not None and kept[0] is frame and all(a is b for a, b in zip(kept[1], same, strict=True)):
            _ANSWERS.move_to_end(key)
            return kept[2]
    value = answer()
    with _LOCK:
        _ANSWERS[key] = (frame, same, value)
        while len(_ANSWERS) > KEPT:
            _ANSWERS.popitem(last=False)
    return value


def forget(frame: pd.DataFrame) -> None:
    """Drop the answers about ``frame``: called when the shared cache lets the frame go, so that the
    answers do not keep it (and their own frames) in memory after it."""
    with _LOCK:
        for key in [k for k, kept in _ANSWERS.items() if kept[0] is frame]:
            del _ANSWERS[key]


def clear() -> None:
    with _LOCK:
        _ANSWERS.clear()
