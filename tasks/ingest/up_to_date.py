"""Whether the ingest stage would change nothing: every configured source's files are the very bytes
already stored (or already found to lie outside the window), and the cycle's validation passed on
exactly the store, configuration, month and code there are now. The annual cycle then takes the stage
as it is without running its flow; the attempt is still logged as an ingest run ("n unchanged")."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from csp.config import load_partnership
from csp.orchestration import Unchanged
from csp.settings import get_settings
from csp.store.db import cycle_digest
from tasks.ingest.pipeline import record_ingest_run, unchanged_sources
from tasks.validate.state import validation_stands


def ingest_stands(partnership: str, cycle: str, database_url: str | None = None,
                  accept_incomplete: bool = False, today: dt.date | None = None,
                  flow_run_id: str | None = None) -> Unchanged | None:
    """The ingest stage's result without running it, or None to run it (a new, changed or refused
    file; a validation that blocked, was accepted incomplete, or was made from other inputs)."""
    url = database_url or get_settings().database_url
    if cycle_digest(url, partnership, cycle, "validation_digest") is None:
        return None  # a first run, or a validation that did not pass: nothing to read the files for
    config = load_partnership(partnership)
    reports = unchanged_sources(url, config, cycle)
    if reports is None:
        return None
    validation = validation_stands(url, config.id, cycle, today)
    if validation is None:
        return None
    record_ingest_run(url, config, cycle, reports, flow_run_id)
    note = f"{len(reports)} file(s) unchanged since they were stored; the validation passed on exactly these"
    return Unchanged(note, {"files": [asdict(report) for report in reports], "validation": validation})
