"""Prefect task wrappers for validation: nothing here but orchestration concerns.

``validate_cycle_task`` is result-cached, but its answer depends on what the store holds, not only on
its arguments, so the cache key also covers the store's current input files (checksums and row
counts), the partnership's configuration, the current month (it decides which months are due) and the
validation code and suites. Re-running a flow after an analyst replaces a file therefore re-validates;
re-running with nothing changed reuses the stored result.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pandas as pd
from prefect import task
from prefect.cache_policies import INPUTS, NO_CACHE, TASK_SOURCE, CachePolicy
from prefect.runtime import flow_run

from csp.cycle import CyclePeriod
from csp.orchestration import retry_on_io
from csp.settings import PROJECT_ROOT
from tasks.validate.cycle import validate_cycle
from tasks.validate.frame import FrameCheck, check_frame
from tasks.validate.state import store_state_digest

_CODE_DIR = PROJECT_ROOT / "tasks" / "validate"


def store_state_key(_context: Any, inputs: dict[str, Any]) -> str:
    """A digest of everything outside the arguments that validation reads (tasks/validate/state.py).

    When the store cannot be read the key is unique, so the task runs (and fails visibly) instead of
    reusing an old answer: Prefect's compound policy would silently ignore a None key.
    """
    digest = store_state_digest(inputs["database_url"], inputs["partnership"], inputs.get("today"))
    return digest or f"uncacheable-{uuid.uuid4().hex}"


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
