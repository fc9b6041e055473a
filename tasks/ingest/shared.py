"""What one process reads and validates once for every partnership a force's files serve.

A police force publishes one file a month for its whole area; Cambridgeshire's serves six
partnerships. Each partnership keeps only its own rows, but reading a month and validating it does not
depend on the partnership, so both are kept here, keyed by the files' checksums: ``--partnership all``
reads and validates each month once, then every partnership takes its rows from the same result.

The caches hold at most ``CSP_READ_CACHE_ROWS`` rows (default 3,000,000, roughly a gigabyte), oldest
dropped first, so a national run on a small machine cannot fill its memory with months it is done with.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pandas as pd

from csp.frames import RowProblem
from tasks.ingest.files import SourceFile
from tasks.validate.source import SourceValidation, validate_source
from tasks.validate.suites import suite_path

Parsed = tuple[pd.DataFrame, list[RowProblem]]

_LOCK = threading.RLock()
_PARSED: OrderedDict[tuple[str, str], Parsed] = OrderedDict()
_VALIDATED: OrderedDict[tuple[str, int, tuple[tuple[str, str], ...]], SourceValidation] = OrderedDict()
STATS = {"parsed": 0, "parse_hits": 0, "validated": 0, "validate_hits": 0}


def _budget() -> int:
    return int(os.environ.get("CSP_READ_CACHE_ROWS", "3000000"))


def _rows(value: Any) -> int:
    frame = value[0] if isinstance(value, tuple) else value.stacked
    return len(frame)


def _trim(cache: OrderedDict) -> None:
    while len(cache) > 1 and sum(_rows(v) for v in cache.values()) > _budget():
        cache.popitem(last=False)


def parsed(kind: str, source: SourceFile, parser: Callable[[SourceFile], Parsed]) -> Parsed:
    """The file's normalised frame and typing problems, parsed once per checksum (never modify it)."""
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
    suite = suite_path(kind)
    edited = suite.stat().st_mtime_ns if suite.exists() else 0  # a suite edited mid-process: ask again
    key = (kind, edited, tuple((source.label, source.raw_sha256) for source, _ in files))
    with _LOCK:
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
        for name in STATS:
            STATS[name] = 0
