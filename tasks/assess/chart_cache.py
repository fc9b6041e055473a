"""Charts and maps kept on disk are reused while their inputs are unchanged.

Drawing the charts and maps is the slowest part of the assessment (matplotlib and the map polygons),
and their inputs are exactly the assessment's: the stored files' fingerprint (which covers the
assessment's code, charts included), the parameters and the folder. A small manifest beside the PNGs
records those inputs and each file's checksum; a run with the same inputs whose files are all still
there, byte for byte, returns the recorded rows instead of drawing again. A missing or edited PNG, new
data or changed code draws everything afresh.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

MANIFEST = ".charts-cache.json"


def inputs_key(params: Any, fingerprint: list[str], folder: Path) -> str:
    """What the charts are a function of, as one digest."""
    parts = [repr(params), *fingerprint, str(folder.resolve())]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _intact(charts: list[dict[str, Any]]) -> bool:
    for chart in charts:
        path = Path(chart["path"])
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != chart.get("sha256"):
            return False
    return True


def reuse(folder: Path, key: str) -> tuple[list[dict[str, Any]], list[str]] | None:
    """The charts recorded for ``key`` when every one of them is still on disk unchanged."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("key") != key or not _intact(manifest.get("charts") or []):
        return None
    return manifest["charts"], manifest.get("notes") or []


def remember(folder: Path, key: str, charts: list[dict[str, Any]], notes: list[str]) -> None:
    """Record what was drawn for ``key`` (written last, so a failed drawing leaves no manifest)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).write_text(json.dumps({"key": key, "charts": charts, "notes": notes}, indent=1),
                                   encoding="utf-8")


def forget(folder: Path) -> None:
    (folder / MANIFEST).unlink(missing_ok=True)
