"""Files found to lie wholly outside the cycle's window, remembered between runs.

A police.uk folder often holds a month the cycle does not use (the month after the period, say). Such
a file is read, placed and then skipped, never stored, so the store cannot say on a re-run that it was
already looked at: without a memory it would be decompressed and parsed again on every run. The
decision is remembered under a key that covers everything it depends on (the file's checksum, name and
label, the partnership's configuration, the reference files it was placed with, the cycle's window and
the ingest code), in a small JSON file under the var folder. Any change gives a new key, and the file
is read again. Only "skipped" is remembered: a file that failed is always read again.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from csp.config import Partnership
from csp.cycle import CyclePeriod
from csp.orchestration import package_sources, source_digest
from csp.settings import PROJECT_ROOT, get_settings

_LOCK = threading.Lock()
KEEP = 2000  # entries kept (oldest dropped): a few years of monthly files for every partnership
_CODE: str | None = None


def _code_digest() -> str:
    global _CODE
    if _CODE is None:
        _CODE = source_digest([*package_sources(PROJECT_ROOT / "tasks" / "ingest"),
                               PROJECT_ROOT / "csp" / "frames.py", PROJECT_ROOT / "csp" / "cycle.py"], 32)
    return _CODE


def _stamp(path: Path | None) -> list[object]:
    if path is None:
        return [None]
    try:
        stat = path.stat()
    except OSError:
        return [str(path), None]
    return [str(path), stat.st_size, stat.st_mtime_ns]


def key(config: Partnership, period: CyclePeriod, kind: str, raw_sha256: str, name: str, label: str,
        from_folder: bool) -> str:
    """Everything the skip decision reads, as one digest."""
    geo = config.geography
    references = [config.source_path("population") if "population" in config.sources else None,
                  *(config.reference_path(p) if p else None
                    for p in (geo.lsoa_2011_to_2021, geo.msoa_names, geo.wards))]
    parts = [kind, raw_sha256, name, label, from_folder, str(period.window_start), str(period.end),
             config.model_dump_json(), [_stamp(p) for p in references], _code_digest()]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def _file() -> Path:
    return get_settings().var_dir / "ingest-skipped.json"


def _load(path: Path) -> dict[str, dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def recall(digest: str) -> dict | None:
    """What was remembered under the key (rows_read, message), or None."""
    return _load(_file()).get(digest)


def remember(digest: str, rows_read: int, message: str) -> None:
    """Remember one skip (best effort: a folder that cannot be written only costs a re-read)."""
    path = _file()
    with _LOCK:
        entries = _load(path)
        entries.pop(digest, None)
        entries[digest] = {"rows_read": rows_read, "message": message}
        while len(entries) > KEEP:
            entries.pop(next(iter(entries)))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            temporary.write_text(json.dumps(entries), encoding="utf-8")
            os.replace(temporary, path)
        except OSError:
            return
