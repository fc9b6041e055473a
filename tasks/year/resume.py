"""Resuming a cycle that waits for the board, from the command line.

The waiting run is found on the Prefect server by its name ("annual-cycle <partnership> <cycle>") in a
paused (suspended) state and resumed with the decisions recorded in the store, in the shape of the form
it waits for. Without a Prefect server configured (PREFECT_API_URL) there is nothing to resume there.
"""

from __future__ import annotations

import os

from csp.config import Partnership
from csp.settings import get_settings
from csp.year import board_meeting
from tasks.prioritise.decisions import DecisionError
from tasks.year.board import form_from_store, pending


def waiting_runs(partnership: str, cycle: str) -> list:
    """Suspended annual-cycle runs of this partnership and cycle on the configured Prefect server."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterName,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    with get_client(sync_client=True) as client:
        return client.read_flow_runs(flow_run_filter=FlowRunFilter(
            name=FlowRunFilterName(any_=[f"annual-cycle {partnership} {cycle}"]),
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))))


def resume_waiting_run(config: Partnership, cycle: str, require_server: bool = False) -> str | None:
    """Resume the suspended run with the recorded decisions; its name, or None when there is none."""
    if not os.environ.get("PREFECT_API_URL") and not require_server:
        return None
    runs = waiting_runs(config.id, cycle)
    if not runs:
        return None
    run = max(runs, key=lambda r: r.expected_start_time or r.created)
    url = run.parameters.get("database_url") or get_settings().database_url
    left = pending(url, config.id, cycle)
    if left:
        raise DecisionError(f"{config.id} {cycle}: {len(left)} recommendation(s) still have no decision "
                            f"(e.g. {left[0].kind} {left[0].subject} {left[0].subject_name}); record them "
                            "before resuming the waiting run")
    meeting = run.parameters.get("meeting") or board_meeting(config, cycle).id
    from prefect.flow_runs import resume_flow_run

    resume_flow_run(run.id, run_input=form_from_store(url, config.id, cycle, meeting))
    return run.name
