"""A small memo of the most recent answers, shared by the threads that draft papers.

The papers keep a few per-process answers that depend only on their key (a template part's text, a
part's digest, a store read keyed by a summary of its rows): the same for every paper or partnership
of a run, so worth keeping, but bounded, since a long-lived Dask worker drafts thousands of papers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class Recent:
    """The last ``size`` answers by key, the least recently used dropped first; thread-safe."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.RLock()  # a computation may ask the memo again (``compute``)

    def get(self, key: Any) -> Any:
        """The answer kept for ``key``, or None."""
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._answers[key] = value
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def compute(self, key: Any, make: Callable[[], Any]) -> Any:
        """The answer for ``key``, made once: other threads wait for it rather than make it again."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
            value = make()
            self.put(key, value)
            return value

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
