"""Pieces every stage's Prefect tasks share: a digest of a stage's code for cache keys, and the rule
that decides which failures are worth a retry."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


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
