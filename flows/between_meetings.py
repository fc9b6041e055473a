"""Flow: between meetings, check the action register for what is overdue and remind the secretary.

Orchestration only: the work is in tasks/actions. Actions are judged against the next meeting's date;
the reminder summary is a Prefect markdown artifact and a CSV in ``output/<partnership>/actions/``.
Reading the register takes no lock, so a secretary can update actions while this runs.
"""

import datetime as dt
from typing import Any

from prefect import flow, get_run_logger

from csp.config import load_partnership
from csp.settings import get_settings
from csp.store.db import migrate
from tasks.actions.tasks import overdue_task, reminder_artifact_task, reminder_csv_task


@flow(name="between-meetings", flow_run_name="between-meetings {partnership}")
def between_meetings(partnership: str, as_of: dt.date | None = None,
                     database_url: str | None = None) -> dict[str, Any]:
    """Overdue check and reminders for one partnership (``as_of`` defaults to today)."""
    config = load_partnership(partnership)
    url = database_url or get_settings().database_url
    migrate(url)
    today = as_of or dt.date.today()
    reminders = overdue_task(url, config, today)
    reminder_artifact_task(reminders)
    csv_path = reminder_csv_task(reminders, get_settings().output_dir / config.id / "actions")
    get_run_logger().info("%s: %d open, %d overdue, %d due before %s", partnership, reminders.open_count,
                          len(reminders.overdue), len(reminders.due_soon), reminders.next_meeting or "-")
    return {"open": reminders.open_count, "overdue": [v.reference for v in reminders.overdue],
            "due_soon": [v.reference for v in reminders.due_soon], "next_meeting": reminders.next_meeting,
            "csv": str(csv_path)}


if __name__ == "__main__":
    import sys

    between_meetings(sys.argv[1])
