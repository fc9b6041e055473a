"""Flow: the end-of-year financial report for one partnership.

Orchestration only: the work is in tasks/finance. Imports the partnership's budget tables (all or
none), checks every reported figure against the computed one, writes the report for the meeting it goes
to, and publishes the differences as a Prefect markdown artifact.
"""

import datetime as dt
from typing import Any

from prefect import flow, get_run_logger

from csp.config import load_partnership
from csp.settings import get_settings
from csp.store.db import migrate
from tasks.finance.load import budget_files, default_folder
from tasks.finance.paper import report_year
from tasks.finance.report import report_meeting
from tasks.finance.tasks import checks_task, import_budget_task, report_artifact_task, write_report_task


@flow(name="financial-report", flow_run_name="financial-report {partnership}")
def financial_report(partnership: str, meeting: str | None = None, import_tables: bool = True,
                     as_of: dt.date | None = None, database_url: str | None = None) -> dict[str, Any]:
    """Write the end-of-year financial report for ``meeting`` (default: the next board meeting)."""
    config = load_partnership(partnership)
    target = report_meeting(config, as_of or dt.date.today(), meeting)
    url = database_url or get_settings().database_url
    migrate(url)
    folder = default_folder(config)
    imported = []
    if import_tables and folder.is_dir():
        imported = import_budget_task(url, config, budget_files(folder))
    year = report_year(target.date)
    checks = checks_task(url, config.id, year)
    path = write_report_task(url, config, target)
    report_artifact_task(config, year, path, checks)
    get_run_logger().info("%s %s: %s; %d figure(s) differ", partnership, year, path, len(checks))
    return {"year": year, "meeting": target.id, "path": str(path), "imported": [i.file for i in imported],
            "discrepancies": [c.message() for c in checks]}


if __name__ == "__main__":
    import sys

    financial_report(sys.argv[1])
