"""What the papers read from the store, as plain values: nothing here writes.

Rows are read once per paper and turned into small frames or dataclasses. Where a stage may have been
re-run and left older rows behind, the newest row for each natural key wins, so a paper never shows the
same figure twice. Crime rows are only ever counted here: no crime ID, coordinate or street name is
selected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from csp.cycle import CyclePeriod
from csp.store import models
from csp.store.db import find_cycle, rows_frame
from csp.store.db import require_cycle as store_require_cycle

METRIC_KEY = ["metric", "source_kind", "category", "area_type", "area_code", "period"]
METRIC_COLUMNS = ["id", *METRIC_KEY, "area_name", "value", "label", "suppressed", "input_file_ids",
                  "run_id"]


def require_cycle(session: Session, partnership_id: str, cycle_name: str) -> models.Cycle:
    return store_require_cycle(
        session, partnership_id, cycle_name, "run ingest and the assessment first "
        f"(csp assess --partnership {partnership_id} --cycle {cycle_name})")


def metrics_frame(session: Session, cycle_id: int) -> pd.DataFrame:
    """The cycle's metrics, newest row per natural key (older re-runs are ignored)."""
    frame = rows_frame(session, select(*(getattr(models.Metric, name) for name in METRIC_COLUMNS))
                       .where(models.Metric.cycle_id == cycle_id).order_by(models.Metric.id), METRIC_COLUMNS)
    if frame.empty:
        return frame
    key = frame[METRIC_KEY].astype(object).where(frame[METRIC_KEY].notna(), "")
    # an area without a code (a 2021-only MSOA) is known by its name: two such areas are two rows
    key["area_code"] = key["area_code"].where(key["area_code"] != "", frame["area_name"].fillna(""))
    return frame.loc[~key.duplicated(keep="last")].reset_index(drop=True)


@dataclass(frozen=True)
class FindingRow:
    theme: str
    category: str | None
    position: int
    headline: bool
    text: str
    public_text: str
    source_kind: str | None = None  # the source a finding rests on, when the assessment recorded one


def findings(session: Session, cycle_id: int) -> list[FindingRow]:
    """Findings of the newest run of each theme, in their stored order."""
    rows = session.scalars(
        select(models.Finding).where(models.Finding.cycle_id == cycle_id).order_by(models.Finding.id)
    ).all()
    newest_run = {row.theme: row.run_id for row in rows}
    kept = [row for row in rows if row.run_id == newest_run[row.theme]]
    kept.sort(key=lambda r: (r.theme, r.position, r.id))
    return [FindingRow(r.theme, r.category, r.position, r.headline, r.text, r.public_text,
                       (r.evidence or {}).get("source_kind")) for r in kept]


@dataclass(frozen=True)
class ChartRow:
    key: str
    theme: str
    path: str
    caption: str
    source: str
    public: bool
    sha256: str


def charts(session: Session, cycle_id: int) -> list[ChartRow]:
    """The newest chart for each key, in the order the assessment drew them."""
    rows = session.scalars(
        select(models.Chart).where(models.Chart.cycle_id == cycle_id).order_by(models.Chart.id)
    ).all()
    newest: dict[str, models.Chart] = {}
    for row in rows:
        newest.pop(row.key, None)
        newest[row.key] = row
    return [ChartRow(r.key, r.theme, r.path, r.caption, r.source, bool(r.public), r.sha256)
            for r in newest.values()]


@dataclass(frozen=True)
class FileRow:
    id: int
    source_kind: str
    file_name: str
    sha256: str
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    rows_outside_area: int
    month_min: dt.date | None
    month_max: dt.date | None
    months: list[str] = field(default_factory=list)
    illustrative: bool = False


def _window(period: CyclePeriod) -> tuple[dt.date, dt.date]:
    return period.window_start.start_time.date(), period.end.end_time.date()


def cycle_files(session: Session, cycle: models.Cycle, period: CyclePeriod,
                metric_file_ids: set[int]) -> list[FileRow]:
    """Files the cycle drew on: those its metrics or checks cite, and current files in its window."""
    first, last = _window(period)
    checked = session.scalars(
        select(models.ValidationResult.input_file_id)
        .where(models.ValidationResult.cycle_id == cycle.id,
               models.ValidationResult.input_file_id.is_not(None))
    ).all()
    f = models.InputFile
    in_window = (f.month_min.is_(None)) | ((f.month_min <= last) & (f.month_max >= first))
    rows = session.scalars(
        select(f).where(
            f.partnership_id == cycle.partnership_id,
            or_(f.id.in_(metric_file_ids | set(checked)), (f.status == "current") & in_window),
        ).order_by(f.source_kind, f.file_name, f.id)
    ).all()
    return [FileRow(r.id, r.source_kind, r.file_name, r.sha256, r.rows_read, r.rows_accepted,
                    r.rows_quarantined, r.rows_outside_area, r.month_min, r.month_max,
                    list(r.months or []), bool(r.illustrative)) for r in rows]


def previous_cycle_sources(session: Session, partnership_id: str, previous_name: str) -> set[str] | None:
    """Source kinds the previous cycle's metrics drew on; None when that cycle was never assessed."""
    cycle = find_cycle(session, partnership_id, previous_name)
    if cycle is None:
        return None
    kinds = session.scalars(
        select(models.Metric.source_kind).where(models.Metric.cycle_id == cycle.id).distinct()
    ).all()
    return set(kinds) if kinds else None


def validation_checks(session: Session, cycle_id: int, file_ids: list[int]) -> pd.DataFrame:
    """Every stored check of the cycle or its files (passed and failed), for the data notes."""
    v = models.ValidationResult
    rows = session.execute(
        select(v.id, v.input_file_id, v.suite, v.expectation, v.column, v.severity, v.success,
               v.unexpected_count, v.message)
        .where(or_(v.cycle_id == cycle_id, v.input_file_id.in_(file_ids)))
        .order_by(v.id)
    ).all()
    columns = ["id", "input_file_id", "suite", "expectation", "column", "severity", "success",
               "unexpected_count", "message"]
    frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    if frame.empty:
        return frame
    key = ["input_file_id", "suite", "expectation", "column"]
    return frame.loc[~frame[key].astype(str).duplicated(keep="last")].reset_index(drop=True)


def quarantine_summary(session: Session, file_ids: list[int]) -> pd.DataFrame:
    """Quarantined rows by file, rule and column: how many, one example reason, the first row numbers."""
    q = models.QuarantinedRow
    rows = session.execute(
        select(q.input_file_id, q.rule, q.column, q.row_number, q.reason)
        .where(q.input_file_id.in_(file_ids))
        .order_by(q.input_file_id, q.rule, q.column, q.row_number)
    ).all()
    frame = pd.DataFrame([tuple(r) for r in rows],
                         columns=["input_file_id", "rule", "column", "row_number", "reason"])
    if frame.empty:
        return pd.DataFrame(columns=["input_file_id", "rule", "column", "rows", "reason", "row_numbers"])
    frame["column"] = frame["column"].fillna("")
    grouped = frame.groupby(["input_file_id", "rule", "column"], sort=True, dropna=False)
    return grouped.agg(
        rows=("row_number", "size"),
        reason=("reason", "first"),
        row_numbers=("row_number", lambda s: list(s)[:10]),
    ).reset_index()


def monthly_volumes(session: Session, partnership_id: str, file_ids: list[int]) -> pd.DataFrame:
    """Incidents per source and month as stored (crime rows counted, partner counts summed)."""
    c, p = models.CrimeRecord, models.PartnerRecord
    crime = session.execute(
        select(c.month, func.count()).where(c.partnership_id == partnership_id,
                                            c.input_file_id.in_(file_ids)).group_by(c.month)
    ).all()
    partner = session.execute(
        select(p.source_kind, p.month, p.period_months, func.sum(p.count))
        .where(p.partnership_id == partnership_id, p.input_file_id.in_(file_ids))
        .group_by(p.source_kind, p.month, p.period_months)
    ).all()
    records = [("police_uk", month, 1, int(n)) for month, n in crime]
    records += [(kind, month, int(span or 1), int(n or 0)) for kind, month, span, n in partner]
    return pd.DataFrame(records, columns=["source_kind", "month", "period_months", "count"])


def crime_ids_present(session: Session, partnership_id: str, candidates: list[str]) -> list[str]:
    """Which of these strings are crime IDs of the partnership's stored rows (to keep them out of
    every paper).

    Checksums are 64 hex characters too, so only strings the store holds as crime IDs count. Crime IDs
    are not indexed (an index on them would slow every police month stored); the partnership's rows
    are, so the question reads those rather than every partnership's."""
    if not candidates:
        return []
    c = models.CrimeRecord
    return list(session.scalars(
        select(c.crime_id).where(c.partnership_id == partnership_id, c.crime_id.in_(candidates)).distinct()
    ).all())
