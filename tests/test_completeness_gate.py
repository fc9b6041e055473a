"""A cycle whose validation blocked feeds no assessment, priorities or papers unless the operator
accepts it; then the assessment records how many months are present."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from csp import metrics as M
from csp.config import load_partnership
from csp.settings import PROJECT_ROOT
from csp.store import models
from csp.store.db import find_cycle, session_scope
from tasks.assess.run import assess_partnership
from tasks.ingest.pipeline import ingest_source
from tasks.validate.cycle import validate_cycle
from tasks.validate.gate import ACCEPTED, BLOCKED, CycleBlocked, check_gate

MONTH = PROJECT_ROOT / "data" / "raw" / "police_uk" / "cambridgeshire" / "2025-09-cambridgeshire-street.csv.gz"
TODAY = dt.date(2026, 1, 15)


def _one_month_cycle(url: str) -> None:
    """Cambridge 2025-26 with one month of police data of twelve: validation blocks."""
    config = load_partnership("cambridge")
    ingest_source(url, config, "2025-26", "population", today=TODAY)
    ingest_source(url, config, "2025-26", "police_uk", path=MONTH, today=TODAY)
    result = validate_cycle(url, "cambridge", "2025-26", today=TODAY, build_docs=False)
    assert result.status == BLOCKED and any("11 of 12 months" in b for b in result.blocking)


def _metric(url: str, name: str) -> tuple[float, str | None]:
    with session_scope(url) as session:
        row = session.execute(select(models.Metric.value, models.Metric.label)
                              .where(models.Metric.metric == name)).one()
    return row.value, row.label


def test_blocked_cycle_stops_every_later_stage_until_accepted(db_url, csp_env):
    _one_month_cycle(db_url)
    config = load_partnership("cambridge")
    with pytest.raises(CycleBlocked) as stopped:
        assess_partnership(db_url, config, "2025-26", charts=False)
    message = str(stopped.value)
    assert "validation blocked" in message and "--accept-incomplete" in message
    assert "11 of 12 months" in message
    for stage in ("priorities", "papers"):
        with pytest.raises(CycleBlocked, match="csp assess -p cambridge -c 2025-26 --accept-incomplete"):
            check_gate(db_url, "cambridge", "2025-26", stage)
    with session_scope(db_url) as session:
        assert session.scalar(select(models.Metric.id).where(models.Metric.metric == M.COUNT)) is None

    assess_partnership(db_url, config, "2025-26", charts=False, accept_incomplete=True)
    assert _metric(db_url, M.PERIOD_MONTHS_PRESENT) == (1.0, "incomplete")
    assert _metric(db_url, M.PERIOD_MONTHS_EXPECTED)[0] == 12.0
    with session_scope(db_url) as session:
        assert find_cycle(session, "cambridge", "2025-26").status == ACCEPTED
    assert check_gate(db_url, "cambridge", "2025-26", "priorities") is True
    assert check_gate(db_url, "cambridge", "2025-26", "papers") is True


def test_cli_assess_refuses_a_blocked_cycle_with_a_message_not_a_traceback(sqlite_url, csp_env, monkeypatch):
    from cli.app import app

    _one_month_cycle(sqlite_url)
    monkeypatch.setenv("CSP_DATABASE_URL", sqlite_url)
    result = CliRunner().invoke(app, ["assess", "-p", "cambridge", "-c", "2025-26", "--local"])
    assert result.exit_code == 1
    assert "validation blocked" in result.output and "Traceback" not in result.output
    accepted = CliRunner().invoke(app, ["assess", "-p", "cambridge", "-c", "2025-26", "--local",
                                        "--accept-incomplete"])
    assert accepted.exit_code == 0, accepted.output
    assert _metric(sqlite_url, M.PERIOD_MONTHS_PRESENT)[0] == 1.0


def test_an_accepted_incomplete_cycle_says_how_many_months_on_the_paper_cover(sqlite_url, csp_env):
    import pandas as pd

    from tasks.papers.ctx_assessment import Metrics, months_present

    _one_month_cycle(sqlite_url)
    assess_partnership(sqlite_url, load_partnership("cambridge"), "2025-26", charts=False, accept_incomplete=True)
    columns = ("metric", "source_kind", "category", "area_type", "area_code", "area_name", "period", "value",
               "label", "suppressed")
    with session_scope(sqlite_url) as session:
        rows = session.execute(select(*(getattr(models.Metric, c) for c in columns))).all()
    months = months_present(Metrics(pd.DataFrame(rows, columns=list(columns))))
    assert (months["present"], months["expected"], months["complete"]) == ("1", "12", False)
    assert months["note"].startswith("Incomplete data: only 1 of 12 months")
    from docx import Document

    for template in ("strategic_assessment", "sa_summary"):  # on the cover, before the first heading
        paragraphs = Document(str(PROJECT_ROOT / "templates" / f"{template}.docx")).paragraphs
        cover = [p.text for p in paragraphs[:8]]
        assert "{{ months.note }}" in cover, template
