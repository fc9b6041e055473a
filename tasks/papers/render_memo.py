"""Rendered papers kept by their context: a paper whose context, template and code did not change is
not rendered again, even when something else in the pack did.

The pack's reuse (``reuse.py``) is keyed by a fingerprint of everything any paper reads, so a decision
recorded or one finding reworded builds every context again. Most contexts come out the same (the
agenda does not print a finding): their files are taken from here instead of being rendered. The key
is a digest of the job (paper, version, file name, template and its checksum), the context itself,
what the paper was drawn from, the author, the meeting date and the papers code's version.

Entries live in ``<var>/papers-cache/<partnership>/<cycle>/<meeting>/renders/`` beside the pack's
reuse entries (so restricted papers stay in the var folder, as there); ``prune`` keeps the entries the
last written pack used. Reading or writing the folder never fails a run: a miss only costs a render.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from csp.orchestration import package_sources, source_digest
from tasks.papers.common import Built
from tasks.papers.registry import PaperJob
from tasks.papers.render import Rendered
from tasks.papers.reuse import cache_folder, write_quietly

FOLDER = "renders"
PACKAGE_DIR = Path(__file__).resolve().parent


def code_version() -> str:
    """A hash of the papers package's source: a render depends on more than its context."""
    return source_digest(package_sources(PACKAGE_DIR))


def _plain(value: Any) -> Any:
    """JSON for what a context holds besides JSON's own types (charts, dates, paths, sets)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"__": type(value).__name__, **dataclasses.asdict(value)}
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (Path, Decimal)):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    raise TypeError(f"no stable form for {type(value).__name__} in a paper's context")


def render_key(job: PaperJob, built: Built, author: str, when: Any, code: str) -> str:
    """The digest of everything a rendered file depends on."""
    parts = [job.kind, job.version, job.number, job.title, job.label, job.file_name, job.template,
             job.template_sha256, author, str(when), code, built.context, list(built.input_file_ids),
             list(built.source_runs)]
    text = json.dumps(parts, sort_keys=True, default=_plain, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def folder(partnership: str, cycle: str, meeting: str) -> Path:
    return cache_folder(partnership, cycle, meeting) / FOLDER


def recall(where: Path, key: str, job: PaperJob, built: Built) -> Rendered | None:
    """The file rendered earlier from exactly this key, checked against its recorded checksum."""
    try:
        data = (where / f"{key}.docx").read_bytes()
        digest = (where / f"{key}.sha256").read_text(encoding="ascii").strip()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != digest:
        return None
    return Rendered(job.kind, job.version, job.file_name, job.title, data, digest, job.template,
                    job.template_sha256, built.input_file_ids, built.source_runs)


def keep(where: Path, key: str, rendered: Rendered) -> None:
    write_quietly(where / f"{key}.docx", rendered.data)
    write_quietly(where / f"{key}.sha256", rendered.sha256.encode("ascii"))


def prune(where: Path, used: set[str]) -> None:
    """Remove the entries the pack just written did not use (and what an interrupted write left)."""
    try:
        for path in where.iterdir():
            if path.name.split(".")[0] not in used or path.suffix == ".tmp":
                path.unlink(missing_ok=True)
    except OSError:
        pass
