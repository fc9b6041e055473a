"""Prefect task wrappers for validation: nothing here but orchestration concerns.

``validate_cycle_task`` is result-cached, but its answer depends on what the store holds, not only on
its arguments, so the cache key also covers the store's current input files (checksums and row
counts), the partnership's configuration, the current month (it decides which months are due) and the
validation code and suites. Re-running a flow after an analyst replaces a file therefore re-validates;
re-running with nothing changed reuses the stored result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

import pandas as pd
from prefect import task
from prefect.cache_policies import INPUTS, NO_CACHE, TASK_SOURCE, CachePolicy
from prefect.runtime import flow_run
from sqlalchemy import select

from csp.config import load_partnership
from csp.cycle import CyclePeriod
from csp.orchestration import package_sources, retry_on_io, source_digest
from csp.settings import PROJECT_ROOT, get_settings
from csp.store import models
from csp.store.db import session_scope
from tasks.validate.cycle import validate_cycle
from tasks.validate.frame import FrameCheck, check_frame
from tasks.validate.suites import SUITE_DIR

_CODE_DIR = PROJECT_ROOT / "tasks" / "validate"


def _code_digest() -> str:
    return source_digest([*package_sources(_CODE_DIR), *package_sources(SUITE_DIR, "*.json")], 64)


def store_state_key(_context: Any, inputs: dict[str, Any]) -> str:
    """A digest of everything outside the arguments that validation reads.

    When the store cannot be read the key is unique, so the task runs (and fails visibly) instead of
    reusing an old answer: Prefect's compound policy would silently ignore a None key.
    """
    try:
        config = load_partnership(inputs["partnership"])
        with session_scope(inputs["database_url"]) as session:
            files = session.execute(
                select(models.InputFile.id, models.InputFile.sha256, models.InputFile.rows_accepted,
                       models.InputFile.rows_quarantined)
                .where(models.InputFile.partnership_id == config.id, models.InputFile.status == "current")
                .order_by(models.InputFile.id)
            ).all()
    except Exception:  # noqa: BLE001 - an unreadable store means "run it", never "reuse"
        return f"uncacheable-{uuid.uuid4().hex}"
    settings = get_settings()
    today = inputs.get("today") or dt.date.today()
    parts = [config.model_dump_json(), repr([tuple(f) for f in files]), str(pd.Period(today, freq="M")),
             str(settings.output_dir), str(settings.gx_dir), _code_digest()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


STORE_STATE = CachePolicy.from_cache_key_fn(store_state_key)


@task(name="check-frame", task_run_name="check {kind} {file_label}", cache_policy=NO_CACHE)
def check_frame_task(kind: str, frame: pd.DataFrame, file_label: str, period: CyclePeriod,
                     today: dt.date) -> FrameCheck:
    """One file's frame against its suite and the window rules (fast; not worth caching)."""
    return check_frame(kind, frame, file_label, period, today)


@task(name="validate-cycle", task_run_name="validate {partnership} {cycle}",
      cache_policy=INPUTS + TASK_SOURCE + STORE_STATE, persist_result=True,
      retries=2, retry_delay_seconds=5, retry_condition_fn=retry_on_io)
def validate_cycle_task(database_url: str, partnership: str, cycle: str,
                        today: dt.date | None = None) -> dict[str, Any]:
    """Validate the stored cycle; returns the summary as plain data (keys 'blocking', 'warnings', ...)."""
    run_id = str(flow_run.id) if flow_run.id else None
    return validate_cycle(database_url, partnership, cycle, today=today, run_id=run_id).as_dict()
