"""Write the assessment to the store: metrics, findings and charts of a cycle, replaced as one.

A re-run deletes the cycle's previous metrics, findings and charts and inserts the new ones in the same
transaction, so readers (priorities, papers) see either the old assessment or the new one, never a
mixture. Chart files are written before the transaction; files of charts no longer drawn are removed
only after it commits. The cycle records a digest of what the stored assessment was computed from; a
re-run with the same digest, whose rows are all still there, leaves the store as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select

from csp import metrics as metric_names
from csp.config import Partnership
from csp.faults import crash_point
from csp.store import models
from csp.store.db import ensure_cycle, finish_stage, insert_rows, session_scope, sql_rows, start_stage
from csp.store.locks import take_stage_lock

STAGE = "strategic_assessment"
VALIDATION_METRICS = (metric_names.LSOA_MATCH_RATE_PCT, metric_names.MSOA_MATCH_RATE_PCT,
                      metric_names.ROWS_MAPPED_FROM_2011, metric_names.ROWS_UNMATCHED_LSOA)


def _stored_counts(session: Any, cycle_id: int) -> tuple[int, int, int]:
    def count(model: Any, *where: Any) -> int:
        return session.scalar(select(func.count()).select_from(model).where(model.cycle_id == cycle_id, *where))

    return (count(models.Metric, models.Metric.metric.not_in(VALIDATION_METRICS)),
            count(models.Finding), count(models.Chart))


def unchanged_outputs(database_url: str, config: Partnership, cycle_name: str, digest: str,
                      charts: int) -> dict[str, int] | None:
    """The stored row counts when the stored assessment was made from ``digest`` and is complete
    (metrics and findings present, every chart row there); None when it must be computed."""
    with session_scope(database_url) as session:
        cycle = session.scalar(select(models.Cycle).where(models.Cycle.partnership_id == config.id,
                                                          models.Cycle.name == cycle_name))
        if cycle is None or cycle.assessment_digest != digest:
            return None
        stored = _stored_counts(session, cycle.id)
    if stored[0] == 0 or stored[1] == 0 or stored[2] != charts:
        return None
    return dict(zip(("metrics", "findings", "charts"), stored, strict=True))


def replace_outputs(database_url: str, config: Partnership, cycle_name: str, metrics: list[dict[str, Any]],
                    findings: list[dict[str, Any]], charts: list[dict[str, Any]], run_id: str,
                    digest: str | None = None) -> dict[str, int]:
    """Replace the cycle's metrics, findings and charts in one transaction; returns row counts.

    With ``digest`` (of the assessment's inputs, tasks/assess/tasks.py), nothing is written when the
    stored assessment has the same digest and the same number of rows of each kind.
    """
    counts = {"metrics": len(metrics), "findings": len(findings), "charts": len(charts)}
    with session_scope(database_url) as session:
        # Serialised per partnership and cycle: a second run waits, then replaces these rows whole.
        take_stage_lock(session, config.id, cycle_name, STAGE)
        cycle = ensure_cycle(session, config, cycle_name)
        if digest and cycle.assessment_digest == digest and \
                _stored_counts(session, cycle.id) == tuple(counts.values()):
            return counts
        cycle.assessment_digest = digest
        # Validation's metrics (the LSOA-vintage match rates) belong to that stage: keep them.
        session.execute(delete(models.Metric).where(
            models.Metric.cycle_id == cycle.id, models.Metric.metric.not_in(VALIDATION_METRICS)))
        for model in (models.Finding, models.Chart):
            session.execute(delete(model).where(model.cycle_id == cycle.id))
        base = {"cycle_id": cycle.id, "run_id": run_id}
        insert_rows(session, models.Metric.__table__,
                    sql_rows({**row, **base, "partnership_id": config.id} for row in metrics))
        if findings:
            session.execute(insert(models.Finding), sql_rows({**row, **base} for row in findings))
        if charts:
            session.execute(insert(models.Chart), sql_rows({**row, **base} for row in charts))
        crash_point("assess.store")
    return counts


def remove_stale_charts(folder: Path, charts: list[dict[str, Any]]) -> list[str]:
    """Delete PNGs in the charts folder that the latest run did not draw (after the store commit)."""
    keep = {Path(c["path"]).name for c in charts}
    removed = []
    for path in folder.glob("*.png"):
        if path.name not in keep:
            path.unlink()
            removed.append(path.name)
    return removed


def record_start(database_url: str, config: Partnership, cycle_name: str, flow_run_id: str | None) -> int:
    """A StageRun row marked running; returns its id."""
    with session_scope(database_url) as session:
        cycle = ensure_cycle(session, config, cycle_name)
        return start_stage(session, cycle, STAGE, flow_run_id).id


def record_finish(database_url: str, stage_run_id: int, status: str, message: str | None = None) -> None:
    with session_scope(database_url) as session:
        run = session.get(models.StageRun, stage_run_id)
        if run is not None:
            finish_stage(run, status, message)


def headline_findings(database_url: str, partnership_id: str, cycle_name: str,
                      public: bool = True) -> list[dict[str, Any]]:
    """The stored headline findings of a cycle, in order (public text by default)."""
    with session_scope(database_url) as session:
        cycle = session.scalar(select(models.Cycle).where(models.Cycle.partnership_id == partnership_id,
                                                          models.Cycle.name == cycle_name))
        if cycle is None:
            return []
        rows = session.scalars(select(models.Finding).where(models.Finding.cycle_id == cycle.id,
                                                            models.Finding.headline.is_(True))
                               .order_by(models.Finding.position)).all()
        return [{"theme": r.theme, "category": r.category,
                 "text": r.public_text if public else r.text} for r in rows]
