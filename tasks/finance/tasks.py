"""Thin Prefect task wrappers around the budget's work (never cached: the budget tables and the store
change between runs, and every figure must be computed afresh)."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from csp.config import Meeting, Partnership
from tasks.finance.budget import Check
from tasks.finance.load import BudgetImport, import_budget
from tasks.finance.report import report_markdown, write_report, year_discrepancies


@task(name="import-budget", cache_policy=NO_CACHE)
def import_budget_task(url: str, config: Partnership, paths: list[Path]) -> list[BudgetImport]:
    return import_budget(url, config, paths)


@task(name="budget-checks", cache_policy=NO_CACHE)
def checks_task(url: str, partnership_id: str, year: str) -> list[Check]:
    return year_discrepancies(url, partnership_id, year)


@task(name="write-financial-report", cache_policy=NO_CACHE)
def write_report_task(url: str, config: Partnership, meeting: Meeting) -> Path:
    return write_report(url, config, meeting)


@task(name="financial-report-artifact", cache_policy=NO_CACHE)
def report_artifact_task(config: Partnership, year: str, path: Path, checks: list[Check]) -> str:
    markdown = report_markdown(config, year, path, checks)
    create_markdown_artifact(markdown=markdown, key=f"financial-report-{config.id}",
                             description=f"End of year financial report {year} for {config.id}")
    return markdown
