"""Flow: bring a partnership's files in and check them, stopping the cycle on blocking problems."""

import datetime as dt

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from csp.config import load_partnership
from csp.cycle import cycle_in_progress
from csp.engines import task_runner
from csp.settings import get_settings
from csp.store.db import migrate
from csp.store.locks import refuse_while_cycle_runs
from tasks.ingest.pipeline import FileReport, configured_kinds, prefetch_sources, record_ingest_run
from tasks.ingest.report import BlockingProblems, reports_markdown
from tasks.ingest.tasks import ingest_source_task
from tasks.validate import validate_cycle_task


def _run_name() -> str:
    parameters = flow_run.parameters
    return (f"ingest-and-validate {parameters['partnership']} "
            f"{parameters.get('cycle') or 'in-progress'}")


@flow(name="ingest-and-validate", flow_run_name=_run_name, task_runner=task_runner())
def ingest_and_validate(partnership: str, cycle: str | None = None, database_url: str | None = None,
                        today: dt.date | None = None, accept_incomplete: bool = False) -> dict:
    """Ingest every configured source (reference data first), then validate the cycle as a whole.

    Without a cycle (the quarterly monitoring schedule) it refreshes the cycle in progress: the one
    whose assessment period holds last month.
    """
    url = database_url or get_settings().database_url
    migrate(url)
    config = load_partnership(partnership)
    cycle = cycle or cycle_in_progress(today or dt.date.today(), config.assessment.period_end_month)
    refuse_while_cycle_runs(url, partnership, cycle, "ingest-and-validate")
    # One source after another: a partnership's files share one store, and SQLite allows one writer.
    # The police and partner files are read and validated meanwhile on the side process.
    prefetch_sources(url, config, cycle, configured_kinds(config))
    reports = [report for kind in configured_kinds(config)
               for report in ingest_source_task(url, partnership, cycle, kind, today)]
    record_ingest_run(url, config, cycle, [FileReport(**r) for r in reports],
                      str(flow_run.id) if flow_run.id else None)
    validation = validate_cycle_task(url, partnership, cycle, today)
    summary = {"files": reports, "validation": validation}
    create_markdown_artifact(key=f"ingest-{partnership}-{cycle}".replace("_", "-"),
                             markdown=reports_markdown(partnership, cycle, summary),
                             description="Files ingested and validation outcome")
    problems = BlockingProblems.from_summary(summary)
    if problems and not accept_incomplete:  # accepted: the assessment states the months present
        raise problems
    return summary
