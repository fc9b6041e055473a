"""Validation: Great Expectations suites per input kind, and checks of the cycle as a whole.

``check_frame`` checks one file's normalised frame (called by ingestion before anything is stored);
``validate_cycle`` checks what the store holds for a partnership's cycle: coverage by month, the
LSOA-vintage match rate, duplicates across files; it stores the outcomes and builds the Data Docs.
Great Expectations itself is imported on first use, not when this package is imported.
"""

from tasks.validate.cycle import CycleValidation, validate_cycle
from tasks.validate.frame import FUTURE_MONTH, OUTSIDE_WINDOW, FrameCheck, check_frame

_TASKS = ("check_frame_task", "validate_cycle_task")


def __getattr__(name: str):  # noqa: ANN202 - the Prefect task objects
    """The Prefect task wrappers, imported on first use: plain validation needs no Prefect."""
    if name in _TASKS:
        from tasks.validate import tasks

        return getattr(tasks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "FUTURE_MONTH", "OUTSIDE_WINDOW", "CycleValidation", "FrameCheck", "check_frame", "check_frame_task",
    "validate_cycle", "validate_cycle_task",
]
