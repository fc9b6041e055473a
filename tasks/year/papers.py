"""Rendering and filing the year's own papers (TCG report, Scrutiny report) like the board papers:
rendered in memory by the papers stage's renderer, checked for what no paper may print, written
atomically and recorded as a ``paper`` row so `csp status` and `csp papers list` find them."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from csp.config import Partnership
from csp.settings import PROJECT_ROOT, get_settings
from csp.store import models
from csp.store.db import ensure_cycle, session_scope
from tasks.papers.render import docx_text, forbidden_content, render_docx, sha256

TEMPLATES_DIR = PROJECT_ROOT / "templates"


class YearPaperError(RuntimeError):
    """A year paper would print what no paper may; nothing was written."""


def year_folder(config: Partnership, cycle: str, part: str) -> Path:
    return get_settings().output_dir / config.id / cycle / part


def file_paper(url: str, config: Partnership, cycle: str, *, kind: str, version: str, meeting: str,
               context: dict[str, Any], path: Path, title: str, when: dt.date,
               run_id: str | None) -> dict[str, str]:
    """Render ``templates/<kind>.docx`` with ``context`` to ``path`` and record it."""
    data = render_docx(TEMPLATES_DIR / f"{kind}.docx", context, title, config.name, when)
    problems, _ = forbidden_content(docx_text(data))
    if problems:
        raise YearPaperError(f"{path.name} not written: it would print " + "; ".join(problems[:5]))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    digest = sha256(data)
    with session_scope(url) as session:
        row = ensure_cycle(session, config, cycle)
        session.add(models.Paper(cycle_id=row.id, meeting=meeting, paper=kind, version=version,
                                 path=str(path), sha256=digest, run_id=run_id))
    return {"paper": kind, "version": version, "file": str(path), "sha256": digest}


def number_text(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def pct_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.0f}%"
