"""Thin Prefect task wrappers around the action register's work (never cached: they read or write the
live register, which a secretary may change at any moment)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from csp.config import Partnership
from tasks.actions.overdue import Reminders, check, reminder_markdown, write_reminders
from tasks.actions.transfer import ImportSummary, import_actions


@task(name="overdue-check", cache_policy=NO_CACHE)
def overdue_task(url: str, config: Partnership, as_of: dt.date) -> Reminders:
    return check(url, config, as_of)


@task(name="reminder-artifact", cache_policy=NO_CACHE)
def reminder_artifact_task(reminders: Reminders) -> str:
    """The reminder summary as a Prefect markdown artifact (keyed per partnership: latest wins)."""
    markdown = reminder_markdown(reminders)
    create_markdown_artifact(markdown=markdown, key=f"action-reminders-{reminders.partnership}",
                             description=f"Overdue and due-soon actions for {reminders.partnership}")
    return markdown


@task(name="reminder-csv", cache_policy=NO_CACHE)
def reminder_csv_task(reminders: Reminders, folder: Path) -> Path:
    return write_reminders(reminders, folder)


@task(name="import-actions", cache_policy=NO_CACHE)
def import_actions_task(url: str, config: Partnership, path: Path, meeting: str | None = None,
                        meeting_date: dt.date | None = None, by: str | None = None) -> ImportSummary:
    return import_actions(url, config, path, meeting, meeting_date, by)
