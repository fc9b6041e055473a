"""Flow: the council's annual report on the partnership to its Scrutiny & Overview Committee.

Scheduled for the configured month after the year's last board meeting; without a cycle it reports on
the newest cycle whose assessment period has ended and is published (the year just decided).
"""

import datetime as dt

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from csp.config import load_partnership
from csp.settings import get_settings
from csp.store import models
from csp.store.db import ensure_cycle, finish_stage, migrate, session_scope, start_stage
from csp.year import default_cycle
from tasks.scrutiny.report import draft_report

STAGE = "scrutiny"


def _run_name() -> str:
    parameters = flow_run.parameters
    return f"scrutiny-report {parameters['partnership']} {parameters.get('cycle') or 'current'}"


@flow(name="scrutiny-report", flow_run_name=_run_name)
def scrutiny_report(partnership: str = "cambridge", cycle: str | None = None, database_url: str | None = None,
                    today: dt.date | None = None) -> dict:
    """Draft the Scrutiny & Overview Committee report (public Word paper) for one partnership's year."""
    config = load_partnership(partnership)
    today = today or dt.date.today()
    cycle = cycle or default_cycle(config, today)
    url = database_url or get_settings().database_url
    migrate(url)
    run_id = str(flow_run.get_id() or "") or None
    with session_scope(url) as session:
        stage_id = start_stage(session, ensure_cycle(session, config, cycle), STAGE, run_id).id
    try:
        paper = draft_report(url, config, cycle, today, run_id)
    except Exception as exc:
        _finish(url, stage_id, "failed", f"{type(exc).__name__}: {exc}")
        raise
    _finish(url, stage_id, "completed", paper["file"])
    with session_scope(url) as session:
        ensure_cycle(session, config, cycle).status = "complete"
    create_markdown_artifact(key=f"scrutiny-report-{config.id}-{cycle}".lower(),
                             markdown=f"Scrutiny & Overview Committee report: `{paper['file']}`",
                             description=f"{config.short_name} {cycle} Scrutiny report")
    get_run_logger().info("%s %s: %s", partnership, cycle, paper["file"])
    return {"partnership": partnership, "cycle": cycle, **paper}


def _finish(url: str, stage_id: int, status: str, message: str) -> None:
    with session_scope(url) as session:
        finish_stage(session.get(models.StageRun, stage_id), status, message)
