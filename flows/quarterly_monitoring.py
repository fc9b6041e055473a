"""Flow: quarterly monitoring for the Tasking & Co-ordination Group.

Refreshes the data for the year in progress (only months that have ended and are published are
expected), then drafts the quarter's performance report (Word) on the priorities the board adopted.
Without parameters (the quarterly schedule) it reports the newest whole quarter that is published and
on disk, for the cycle whose priorities are running.
"""

import datetime as dt

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from csp.config import Partnership, load_partnership
from csp.cycle import Quarter, parse_cycle

__all__ = ["QuarterNotReadyError", "due_quarters", "quarterly_monitoring", "resolve"]
from csp.settings import get_settings
from csp.store.db import ensure_cycle, finish_stage, migrate, session_scope, start_stage
from csp.year import default_quarter
from flows.ingest_and_validate import ingest_and_validate
from tasks.monitoring.numbers import due_quarters, monitored_quarter, police_months, quarter_due
from tasks.monitoring.report import draft_report

STAGE = "monitoring"


class QuarterNotReadyError(RuntimeError):
    """The quarter's months are not all in the store: the report would be wrong, so none is drafted."""


def resolve(config: Partnership, cycle: str | None, quarter: int | None, today: dt.date) -> tuple[str, Quarter]:
    """(the cycle whose priorities are monitored, the quarter of the year being watched)."""
    if quarter is None and cycle is None:
        watched = default_quarter(config, today)
        return parse_cycle(watched.cycle).previous_cycle(), watched
    if cycle is None:
        cycle = parse_cycle(default_quarter(config, today).cycle).previous_cycle()
    if quarter is None:
        due = [q for q in range(1, 5) if quarter_due(config, monitored_quarter(config, cycle, q)) <= today]
        quarter = due[-1] if due else 1
    return cycle, monitored_quarter(config, cycle, quarter)


def _run_name() -> str:
    parameters = flow_run.parameters
    quarter = parameters.get("quarter")
    return (f"quarterly-monitoring {parameters['partnership']} {parameters.get('cycle') or 'current'}"
            + (f" Q{quarter}" if quarter else ""))


@flow(name="quarterly-monitoring", flow_run_name=_run_name)
def quarterly_monitoring(partnership: str = "cambridge", cycle: str | None = None, quarter: int | None = None,
                         database_url: str | None = None, today: dt.date | None = None,
                         refresh: bool = True) -> dict:
    """Refresh the year in progress and draft the TCG performance report for one quarter."""
    config = load_partnership(partnership)
    today = today or dt.date.today()
    cycle, watched = resolve(config, cycle, quarter, today)
    as_of = min(today, quarter_due(config, watched))  # what was published when the quarter was due
    url = database_url or get_settings().database_url
    migrate(url)
    if refresh:
        ingest_and_validate(partnership, watched.cycle, database_url=url, today=as_of)
    with session_scope(url) as session:
        stage_id = start_stage(session, ensure_cycle(session, config, cycle), STAGE, str(flow_run.get_id() or "")).id
        missing = [str(m) for m in watched.months if m not in police_months(session, config.id)]
    try:
        if missing:
            raise QuarterNotReadyError(f"{config.id} {watched.label}: no police data stored for "
                                       f"{', '.join(missing)}; ingest them first (csp ingest)")
        paper = draft_report(url, config, cycle, watched, as_of, str(flow_run.get_id() or "") or None)
    except Exception as exc:
        _finish(url, stage_id, "failed", f"Q{watched.number}: {type(exc).__name__}: {exc}")
        raise
    _finish(url, stage_id, "completed", f"Q{watched.number} report: {paper['file']}")
    create_markdown_artifact(key=f"tcg-report-{config.id}-{cycle}-q{watched.number}".lower(),
                             markdown=f"**{watched.label}** performance report: `{paper['file']}`",
                             description=f"TCG performance report {watched.label}")
    get_run_logger().info("%s %s: %s", partnership, watched.label, paper["file"])
    return {"partnership": partnership, "cycle": cycle, "quarter": watched.number, "label": watched.label,
            **paper}


def _finish(url: str, stage_id: int, status: str, message: str) -> None:
    from csp.store import models

    with session_scope(url) as session:
        finish_stage(session.get(models.StageRun, stage_id), status, message)
