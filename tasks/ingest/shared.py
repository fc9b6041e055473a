"""What one process reads and validates once for every partnership a force's files serve.

A police force publishes one file a month for its whole area; Cambridgeshire's serves six
partnerships. Each partnership keeps only its own rows, but reading a month and validating it does not
depend on the partnership, so both are kept here, keyed by the files' checksums: ``--partnership all``
reads and validates each month once, then every partnership takes its rows from the same result.

A partnership's larger sources (police, the partners' tables) can be read and validated on the side
process (``csp/side_process.py``) while the reference data are stored: ``expect`` records them,
and ``parsed`` and ``validated`` wait for that result before reading anything themselves. A source
validation covering more files than asked for serves any of its files: each file's results are cut
from the stack by its own label (``tasks/validate/source.py: part_results``).

The caches hold at most ``CSP_READ_CACHE_ROWS`` rows (default 3,000,000, roughly a gigabyte), oldest
dropped first, so a national run on a small machine cannot fill its memory with months it is done with.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import pandas as pd

from csp import frame_memo, side_process
from csp.frames import RowProblem
from tasks.ingest.files import SourceFile
from tasks.validate.source import SourceValidation, validate_source
from tasks.validate.suites import suite_path

Parsed = tuple[pd.DataFrame, list[RowProblem]]

ValidationKey = tuple[str, int, tuple[tuple[str, str], ...]]

_LOCK = threading.RLock()
_PARSED: OrderedDict[tuple[str, str], Parsed] = OrderedDict()
_VALIDATED: OrderedDict[ValidationKey, SourceValidation] = OrderedDict()
_PENDING: dict[tuple[str, str], Future] = {}  # (step, kind) -> the side process's parse or validation
STATS = {"parsed": 0, "parse_hits": 0, "validated": 0, "validate_hits": 0, "prefetched": 0}


@dataclass
class Prefetched:
    """One validation of a source's files, made on the side process, and its key here."""

    key: ValidationKey
    validation: SourceValidation


def _fresh_lock_in_child() -> None:
    """A forked side process must not inherit the lock held by another thread at the fork."""
    global _LOCK  # noqa: PLW0603 - the module's one lock, replaced in the child only
    _LOCK = threading.RLock()
    _PENDING.clear()


os.register_at_fork(after_in_child=_fresh_lock_in_child)


def _budget() -> int:
    return int(os.environ.get("CSP_READ_CACHE_ROWS", "3000000"))


def _rows(value: Any) -> int:
    frame = value[0] if isinstance(value, tuple) else value.stacked
    return len(frame)


def _trim(cache: OrderedDict) -> None:
    while len(cache) > 1 and sum(_rows(v) for v in cache.values()) > _budget():
        _, value = cache.popitem(last=False)
        frame_memo.forget(_frame(value))


def _frame(value: Parsed | SourceValidation) -> pd.DataFrame:
    return value[0] if isinstance(value, tuple) else value.stacked


_WORKING_ON = [""]  # the police folder of the partnership this process is running (see moving_to)


def moving_to(folder: str) -> bool:
    """For a process that runs one partnership at a time (a Dask worker of a national run): when it
    starts a partnership of another force than the last, forget the files read and validated for
    that force, and what was worked out from them. A worker keeps to one force while the force has
    partnerships left (flows/annual_cycle.py), so they would only wait in the bounded cache to be
    pushed out, holding a force's year of rows in memory beside the next force's. Returns whether
    anything was forgotten. Not for processes running partnerships of several forces side by side
    in threads: they would keep forgetting each other's files."""
    with _LOCK:
        if _WORKING_ON[0] == folder:
            return False
        moved, _WORKING_ON[0] = bool(_WORKING_ON[0]), folder
        if moved:
            for cache in (_PARSED, _VALIDATED):
                for value in cache.values():
                    frame_memo.forget(_frame(value))
                cache.clear()
        return moved


def expect(kind: str, parse: Future, validate: Future | None) -> None:
    """The side process's parse (checksum -> ``Parsed``) and validation (``Prefetched``) of a source
    under way: ``parsed`` and ``validated`` wait for them. Two results, so this process can place the
    parsed rows in the area while the side process validates them."""
    with _LOCK:
        _PENDING[("parse", kind)] = parse
        if validate is not None:
            _PENDING[("validate", kind)] = validate


def _collect(step: str, kind: str) -> None:
    """Wait for the side process's parse or validation of ``kind``, if one is under way, and keep it.

    A failed side process leaves nothing: the caller reads the files itself, as without it."""
    with _LOCK:
        future = _PENDING.pop((step, kind), None)
    if future is None:
        return
    try:
        found = side_process.result(future)
    except Exception:  # noqa: BLE001 - any failure there means: do it here
        return
    with _LOCK:
        STATS["prefetched"] += 1
        if step == "parse":
            for sha, value in found.items():
                _PARSED[(kind, sha)] = value
            _trim(_PARSED)
        elif found is not None:
            _VALIDATED[found.key] = found.validation
            _trim(_VALIDATED)


def validation_key(kind: str, files: list[SourceFile]) -> ValidationKey:
    """The files (label and checksum) and the suite's edit time: a suite edited mid-process asks again."""
    suite = suite_path(kind)
    edited = suite.stat().st_mtime_ns if suite.exists() else 0
    return (kind, edited, tuple((source.label, source.raw_sha256) for source in files))


def _covering(key: ValidationKey) -> ValidationKey | None:
    """A kept validation of the same kind and suite whose files include all of ``key``'s."""
    wanted = set(key[2])
    for kept in _VALIDATED:
        if kept[:2] == key[:2] and wanted <= set(kept[2]):
            return kept
    return None


def parsed(kind: str, source: SourceFile, parser: Callable[[SourceFile], Parsed]) -> Parsed:
    """The file's normalised frame and typing problems, parsed once per checksum (never modify it)."""
    _collect("parse", kind)
    key = (kind, source.raw_sha256)
    with _LOCK:
        if key in _PARSED:
            STATS["parse_hits"] += 1
            _PARSED.move_to_end(key)
            return _PARSED[key]
        result = parser(source)
        STATS["parsed"] += 1
        _PARSED[key] = result
        _trim(_PARSED)
        return result


def validated(kind: str, files: list[tuple[SourceFile, pd.DataFrame]]) -> SourceValidation:
    """One GX validation of the whole files (every row, before the split by area), once per set."""
    _collect("validate", kind)
    key = validation_key(kind, [source for source, _ in files])
    with _LOCK:
        key = key if key in _VALIDATED else (_covering(key) or key)
        if key in _VALIDATED:
            STATS["validate_hits"] += 1
            _VALIDATED.move_to_end(key)
            return _VALIDATED[key]
        result = validate_source(kind, [(source.label, frame) for source, frame in files])
        STATS["validated"] += 1
        _VALIDATED[key] = result
        _trim(_VALIDATED)
        return result


def clear() -> None:
    """Forget everything (tests, and a suite edited while the process runs)."""
    with _LOCK:
        _PARSED.clear()
        _VALIDATED.clear()
        for future in _PENDING.values():
            future.cancel()  # not started yet: the side process is spared it
        _PENDING.clear()
        frame_memo.clear()
        _WORKING_ON[0] = ""
        for name in STATS:
            STATS[name] = 0
