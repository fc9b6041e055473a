"""Where the year stands, from the store: steps in order, waiting since when, what is not yet due, and
a warning for a paper drafted before the assessment it quotes was re-run."""

from __future__ import annotations

import datetime as dt

from csp.config import load_partnership
from csp.store import models
from csp.store.db import ensure_cycle, session_scope
from tasks.year.board import mark_waiting
from tasks.year.timeline import timeline

TODAY = dt.date(2026, 3, 15)


def _stage(session, cycle, stage: str, at: dt.datetime, status: str = "completed") -> None:  # noqa: ANN001
    session.add(models.StageRun(cycle_id=cycle.id, stage=stage, status=status, started_at=at, finished_at=at))


def test_the_timeline_says_where_the_year_stands_and_flags_stale_papers(db_url, csp_env):
    config = load_partnership("cambridge")
    drafted, reassessed = dt.datetime(2026, 1, 20, 9), dt.datetime(2026, 1, 25, 9)
    with session_scope(db_url) as session:
        cycle = ensure_cycle(session, config, "2025-26")
        for stage in ("ingest", "validate", "priorities", "papers"):
            _stage(session, cycle, stage, drafted)
        _stage(session, cycle, "strategic_assessment", reassessed)
        session.add(models.Paper(cycle_id=cycle.id, meeting="board-2026-02", paper="strategic_assessment",
                                 version="public", path="/packs/03 Strategic Assessment 2025-26 (public).docx",
                                 sha256="0" * 64, drafted_at=drafted))
    mark_waiting(db_url, config, "2025-26", None)
    year = timeline(db_url, config, "2025-26", TODAY)
    names = [step.name for step in year.steps]
    assert names[:5] == ["Data ingested and validated", "Assessment", "Priorities recommended",
                         "Board pack drafted (board-2026-02)", "Board decision"]
    assert year.where.startswith("Board decision: waiting since")
    assert not year.complete
    quarters = {s.name: s for s in year.steps if s.name.endswith("TCG performance report")}
    assert quarters["Q1 TCG performance report"].state == "not yet"  # due 1 February 2026
    assert quarters["Q2 TCG performance report"].state == "not due"  # due 1 May 2026
    assert year.steps[-1].state == "not due" and year.steps[-1].detail == "due 2026-09-01"
    [warning] = year.warnings
    assert "03 Strategic Assessment 2025-26 (public).docx" in warning and "2026-01-25" in warning
