"""What a cycle's validation is a function of, outside its arguments: the store's current input files
(checksums and row counts), the partnership's configuration, the current month (it decides which
months are due), where the reports go, and the validation code and suites.

The same digest keys Prefect's cache of the validation task and is recorded with a passed validation
(``cycle.validation_digest``), so that a cycle re-run on unchanged data can tell, without running the
ingest stage, that validating again would change nothing (tasks/ingest/up_to_date.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select

from csp.config import load_partnership
from csp.orchestration import package_sources, source_digest
from csp.settings import PROJECT_ROOT, get_settings
from csp.store import models
from csp.store.db import find_cycle, session_scope
from tasks.validate.gate import ACCEPTED, BLOCKED, PASSED
from tasks.validate.suites import SUITE_DIR

_CODE_DIR = PROJECT_ROOT / "tasks" / "validate"
BLOCKING = (BLOCKED, ACCEPTED)


def report_folder(partnership: str, cycle_name: str, output_dir: Path | None = None) -> Path:
    """Where the cycle's validation writes its coverage report."""
    return (output_dir or get_settings().output_dir) / partnership / cycle_name / "data-quality"


def _code_digest() -> str:
    return source_digest([*package_sources(_CODE_DIR), *package_sources(SUITE_DIR, "*.json")], 64)


def store_state_digest(database_url: str, partnership: str, today: dt.date | None = None) -> str | None:
    """The digest, or None when the store cannot be read (then nothing may be reused)."""
    try:
        config = load_partnership(partnership)
        with session_scope(database_url) as session:
            files = session.execute(
                select(models.InputFile.id, models.InputFile.sha256, models.InputFile.rows_accepted,
                       models.InputFile.rows_quarantined)
                .where(models.InputFile.partnership_id == config.id, models.InputFile.status == "current")
                .order_by(models.InputFile.id)
            ).all()
    except Exception:  # noqa: BLE001 - an unreadable store means "run it", never "reuse"
        return None
    settings = get_settings()
    parts = [config.model_dump_json(), repr([tuple(f) for f in files]), str(pd.Period(today or dt.date.today(), freq="M")),
             str(settings.output_dir), str(settings.gx_dir), _code_digest()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def validation_stands(database_url: str, partnership: str, cycle_name: str,
                      today: dt.date | None = None) -> dict[str, Any] | None:
    """The summary of the cycle's stored validation when it passed on exactly what there is now (same
    digest) and its coverage report is still on disk; None when validating again could say otherwise."""
    digest = store_state_digest(database_url, partnership, today)
    with session_scope(database_url) as session:
        cycle = find_cycle(session, partnership, cycle_name)
        # the digest is recorded only by a pass; the status moves on with the year (awaiting the board...)
        if digest is None or cycle is None or cycle.status in BLOCKING or cycle.validation_digest != digest:
            return None
        v = models.ValidationResult
        warnings = list(session.scalars(select(v.message).where(
            v.cycle_id == cycle.id, v.severity == "warning", v.success.is_(False)).order_by(v.id)))
    if not (report_folder(partnership, cycle_name) / "coverage.csv").is_file():
        return None
    return {"status": PASSED, "blocking": [], "warnings": warnings, "unchanged": True}
