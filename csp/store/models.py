"""SQLAlchemy 2.0 models for everything the cycle stores.

Each stage reads what the previous one stored and writes its own tables, so any stage can be re-run
alone. Individual-level fields (crime IDs, coordinates, street names) exist only in ``crime_record`` and
never leave the store in a public paper.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Partnership(Base):
    __tablename__ = "partnership"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    la_code: Mapped[str] = mapped_column(String(16))
    la_name: Mapped[str] = mapped_column(String(100))

    cycles: Mapped[list[Cycle]] = relationship(back_populates="partnership")


class Cycle(Base):
    """One partnership's annual cycle, e.g. cambridge 2025-26."""

    __tablename__ = "cycle"
    # (id, partnership_id) is unique because id is: the pair is what a metric's foreign key names (an
    # index, not a constraint: SQLite adds it without rebuilding the table its children point at)
    __table_args__ = (UniqueConstraint("partnership_id", "name"),
                      Index("uq_cycle_id_partnership", "id", "partnership_id", unique=True))

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[str] = mapped_column(ForeignKey("partnership.id"))
    name: Mapped[str] = mapped_column(String(7))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32), default="open")
    # digest of the inputs of the stored assessment: an unchanged re-run skips rewriting it
    assessment_digest: Mapped[str | None] = mapped_column(String(64))
    # digests of what the stored validation and recommendations were made from: an unchanged cycle
    # skips those stages (tasks/ingest/up_to_date.py, tasks/prioritise/up_to_date.py)
    validation_digest: Mapped[str | None] = mapped_column(String(64))
    recommendations_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    partnership: Mapped[Partnership] = relationship(back_populates="cycles")


class StageRun(Base):
    """One execution of a stage for a cycle: what ran, when, from which Prefect run, and how it ended."""

    __tablename__ = "stage_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    stage: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))  # running, completed, failed
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    message: Mapped[str | None] = mapped_column(Text)
    # Who runs it, so a run whose process died is shown as interrupted rather than "running" forever.
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class StageLock(Base):
    """One row per (partnership, cycle, stage) that writers lock while they replace that stage's
    results (csp/store/locks.py). Keyed by names, not ids, so it can be taken before the cycle
    row exists. ``holder`` and the host/pid/heartbeat fields describe a long-lived lease (a whole
    cycle run); a transaction-scoped stage lock leaves them alone."""

    __tablename__ = "stage_lock"

    partnership_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    cycle_name: Mapped[str] = mapped_column(String(16), primary_key=True)
    stage: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    taken_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class InputFile(Base):
    """A partner file as received: provenance for every figure that comes from it."""

    __tablename__ = "input_file"
    # (id, partnership_id) is unique because id is: the pair is what a crime row's foreign key names
    __table_args__ = (UniqueConstraint("partnership_id", "source_kind", "sha256"),
                      Index("uq_input_file_id_partnership", "id", "partnership_id", unique=True))

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[str] = mapped_column(ForeignKey("partnership.id"), index=True)
    source_kind: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(300))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_accepted: Mapped[int] = mapped_column(Integer, default=0)
    rows_quarantined: Mapped[int] = mapped_column(Integer, default=0)
    rows_outside_area: Mapped[int] = mapped_column(Integer, default=0)  # another authority's rows
    rows_unlocated: Mapped[int] = mapped_column(Integer, default=0)  # no LSOA: cannot be placed
    month_min: Mapped[dt.date | None] = mapped_column(Date)
    month_max: Mapped[dt.date | None] = mapped_column(Date)
    months: Mapped[list[Any]] = mapped_column(default=list)  # ["2025-01", ...]
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="current")  # current, superseded
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("input_file.id"))
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    flow_run_id: Mapped[str | None] = mapped_column(String(64))


class CrimeRecord(Base):
    """A data.police.uk street-level row inside the partnership's area (restricted fields included)."""

    __tablename__ = "crime_record"
    # One key, the row's file and partnership together: a row cannot name a partnership other than
    # its file's, and PostgreSQL checks one key a row instead of two (six million rows a national run)
    __table_args__ = (Index("ix_crime_partnership_month", "partnership_id", "month"),
                      ForeignKeyConstraint(["input_file_id", "partnership_id"],
                                           ["input_file.id", "input_file.partnership_id"],
                                           name="fk_crime_record_file_partnership"))

    id: Mapped[int] = mapped_column(primary_key=True)
    input_file_id: Mapped[int] = mapped_column(Integer, index=True)
    partnership_id: Mapped[str] = mapped_column(String(64))
    row_number: Mapped[int] = mapped_column(Integer)  # line in the source file, header = 1
    month: Mapped[dt.date] = mapped_column(Date)  # first day of the month
    category: Mapped[str] = mapped_column(String(80))  # police.uk crime type
    crime_id: Mapped[str | None] = mapped_column(String(100))
    lsoa_code: Mapped[str | None] = mapped_column(String(12))  # the 2021 LSOA it is placed in
    lsoa_name: Mapped[str | None] = mapped_column(String(100))
    msoa_code: Mapped[str | None] = mapped_column(String(12))
    msoa_name: Mapped[str | None] = mapped_column(String(100))
    lsoa_code_published: Mapped[str | None] = mapped_column(String(12))  # as in the file (2011 or 2021)
    # how the LSOA was placed: 2021, 2011-U/M (exact), 2011-S/X (largest part), unmatched, None (no LSOA)
    lsoa_mapping: Mapped[str | None] = mapped_column(String(12))
    location: Mapped[str | None] = mapped_column(String(200))
    longitude: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str | None] = mapped_column(String(200))


class PartnerRecord(Base):
    """An aggregated count from a partner table (fire, ambulance, A&E, IDVA, council ASB, hate crime)."""

    __tablename__ = "partner_record"
    __table_args__ = (Index("ix_partner_kind_month", "partnership_id", "source_kind", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    input_file_id: Mapped[int] = mapped_column(ForeignKey("input_file.id"), index=True)
    partnership_id: Mapped[str] = mapped_column(ForeignKey("partnership.id"))
    source_kind: Mapped[str] = mapped_column(String(32))
    row_number: Mapped[int] = mapped_column(Integer)
    month: Mapped[dt.date] = mapped_column(Date)  # first month of the period the count covers
    period_months: Mapped[int] = mapped_column(Integer, default=1)  # 3 for quarterly tables
    category: Mapped[str] = mapped_column(String(120))
    subcategory: Mapped[str | None] = mapped_column(String(120))
    area_code: Mapped[str | None] = mapped_column(String(12))
    area_name: Mapped[str | None] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(Integer)


class Population(Base):
    """Census usual residents per LSOA inside the partnership's area."""

    __tablename__ = "population"

    id: Mapped[int] = mapped_column(primary_key=True)
    input_file_id: Mapped[int] = mapped_column(ForeignKey("input_file.id"), index=True)
    partnership_id: Mapped[str] = mapped_column(ForeignKey("partnership.id"), index=True)
    lsoa_code: Mapped[str] = mapped_column(String(12))
    lsoa_name: Mapped[str] = mapped_column(String(100))
    msoa_code: Mapped[str] = mapped_column(String(12))
    msoa_name: Mapped[str] = mapped_column(String(100))
    # House of Commons Library MSOA place name (e.g. 'Central & West Cambridge'), and its Welsh form
    msoa_place_name: Mapped[str | None] = mapped_column(String(100))
    msoa_place_name_welsh: Mapped[str | None] = mapped_column(String(100))
    ward_code: Mapped[str | None] = mapped_column(String(12))
    ward_name: Mapped[str | None] = mapped_column(String(100))
    # how the 2021 LSOA came from 2011: U, M, S (part of a split), X (irregular), new; None for 2011 data
    lsoa_change: Mapped[str | None] = mapped_column(String(8))
    la_code: Mapped[str] = mapped_column(String(12))
    persons: Mapped[int] = mapped_column(Integer)
    households: Mapped[int | None] = mapped_column(Integer)
    census_year: Mapped[int] = mapped_column(Integer, default=2011)


class QuarantinedRow(Base):
    """A row that failed a row-level rule: kept with its reason, never silently dropped."""

    __tablename__ = "quarantined_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    input_file_id: Mapped[int] = mapped_column(ForeignKey("input_file.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(100))
    rule: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ValidationResult(Base):
    """One expectation's outcome on one input file (or on the cycle as a whole when file is None)."""

    __tablename__ = "validation_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[str] = mapped_column(ForeignKey("partnership.id"), index=True)
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycle.id"), index=True)
    input_file_id: Mapped[int | None] = mapped_column(ForeignKey("input_file.id"), index=True)
    suite: Mapped[str] = mapped_column(String(80))
    expectation: Mapped[str] = mapped_column(String(120))
    column: Mapped[str | None] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(16))  # blocking, warning
    success: Mapped[bool] = mapped_column(Boolean)
    element_count: Mapped[int | None] = mapped_column(Integer)
    unexpected_count: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class Metric(Base):
    """One number of the strategic assessment, with the files it came from and the run that made it."""

    __tablename__ = "metric"
    # One key, the metric's cycle and partnership together (as for crime_record)
    __table_args__ = (Index("ix_metric_cycle_name", "cycle_id", "metric"),
                      ForeignKeyConstraint(["cycle_id", "partnership_id"], ["cycle.id", "cycle.partnership_id"],
                                           name="fk_metric_cycle_partnership"))

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[str] = mapped_column(String(64))
    cycle_id: Mapped[int] = mapped_column(Integer)
    metric: Mapped[str] = mapped_column(String(60))  # e.g. count, share, rate_per_1000, change_pct
    source_kind: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(120), default="All")
    area_type: Mapped[str] = mapped_column(String(20), default="partnership")  # partnership/msoa/lsoa/area
    area_code: Mapped[str | None] = mapped_column(String(40))
    area_name: Mapped[str | None] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(20))  # "current", "previous", or "2025-03"
    value: Mapped[float | None] = mapped_column(Float)
    label: Mapped[str | None] = mapped_column(String(60))  # e.g. significance label
    # True when the value must not appear in a public output: a count of 1-4, a cell suppressed to
    # protect one, or a figure derived from either (csp.suppression.display_metric renders it)
    suppressed: Mapped[bool | None] = mapped_column(Boolean)
    input_file_ids: Mapped[list[Any]] = mapped_column(default=list)
    run_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class Finding(Base):
    """A sentence of the assessment generated from numbers, with those numbers attached."""

    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    theme: Mapped[str] = mapped_column(String(60))
    category: Mapped[str | None] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    headline: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    public_text: Mapped[str] = mapped_column(Text)  # the same sentence after suppression
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    run_id: Mapped[str | None] = mapped_column(String(64))


class Chart(Base):
    """A figure drawn for the assessment: file, caption and source line."""

    __tablename__ = "chart"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    theme: Mapped[str] = mapped_column(String(60))
    path: Mapped[str] = mapped_column(Text)
    caption: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    sha256: Mapped[str] = mapped_column(String(64))
    run_id: Mapped[str | None] = mapped_column(String(64))


class Recommendation(Base):
    """A recommended priority or priority area with its reasons, as data and as a sentence."""

    __tablename__ = "recommendation"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # area, theme
    subject: Mapped[str] = mapped_column(String(120))  # area code or theme id
    subject_name: Mapped[str] = mapped_column(String(200))
    recommendation: Mapped[str] = mapped_column(String(40))  # Emerging/.../Discharged/None; retain/add/retire
    score: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reason_text: Mapped[str] = mapped_column(Text)
    run_id: Mapped[str | None] = mapped_column(String(64))

    decisions: Mapped[list[Decision]] = relationship(back_populates="recommendation")


class Decision(Base):
    """What the board decided about a recommendation, at which meeting."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))  # accepted, changed, rejected
    decided_value: Mapped[str] = mapped_column(String(200))  # the class or wording adopted
    reason: Mapped[str] = mapped_column(Text, default="")
    meeting: Mapped[str] = mapped_column(String(64))
    decided_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)

    recommendation: Mapped[Recommendation] = relationship(back_populates="decisions")


class Action(Base):
    """An action point from a meeting, numbered like the seeds' '10/01' (or 1, 2, 3 in sequence).

    A reference is unique within its meeting (Cambridge's '10/01' recurs every October). ``due`` is a
    date when one is known; ``timescale`` keeps the minutes' own words ("Arranged.", "Next meeting").
    ``version`` is an optimistic lock: an update based on an older version is refused, never lost.
    """

    __tablename__ = "action"
    __table_args__ = (UniqueConstraint("partnership_id", "meeting", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[str] = mapped_column(ForeignKey("partnership.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due: Mapped[dt.date | None] = mapped_column(Date)
    timescale: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(200), default="open")  # open, in progress, closed, ...
    closing_note: Mapped[str] = mapped_column(Text, default="")
    meeting: Mapped[str] = mapped_column(String(64))
    meeting_date: Mapped[dt.date | None] = mapped_column(Date)
    agenda_item: Mapped[str] = mapped_column(String(40), default="")
    priority: Mapped[str] = mapped_column(String(60), default="")  # a configured priority's theme
    budget_line_id: Mapped[int | None] = mapped_column(ForeignKey("budget_line.id"))
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    __mapper_args__ = {"version_id_col": version}


class ActionHistory(Base):
    """One change to an action: which field, from what, to what, when, by whom and from where."""

    __tablename__ = "action_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(40))  # "created" for the first row
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    changed_by: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(Text, default="")  # "csp actions update", a file name ...


class Funding(Base):
    """Money available to the partnership in a financial year, from one fund.

    ``fund`` is ``grant`` (the Police and Crime Commissioner's community safety grant) or ``pool`` (the
    partners' pooled fund); ``kind`` is ``brought_forward``, ``grant`` or ``contribution``. Amounts are
    whole pence; ``amount_pence`` is NULL where the source says "TBC".
    """

    __tablename__ = "funding"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[str] = mapped_column(ForeignKey("partnership.id"), index=True)
    financial_year: Mapped[str] = mapped_column(String(7))
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(Text)  # as published
    fund: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))
    amount_pence: Mapped[int | None] = mapped_column(BigInteger)
    amount_text: Mapped[str] = mapped_column(String(40), default="")  # the cell as printed
    source: Mapped[str] = mapped_column(Text)  # file and row


class BudgetLine(Base):
    """A line of a spending plan or financial report; amounts in whole pence, NULL where blank."""

    __tablename__ = "budget_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[str] = mapped_column(ForeignKey("partnership.id"), index=True)
    financial_year: Mapped[str] = mapped_column(String(7))
    position: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(Text)
    profiled_pence: Mapped[int | None] = mapped_column(BigInteger)
    outturn_pence: Mapped[int | None] = mapped_column(BigInteger)  # outturn or committed
    grant_pence: Mapped[int | None] = mapped_column(BigInteger)  # funded from the grant
    pool_pence: Mapped[int | None] = mapped_column(BigInteger)  # funded from the pooled fund
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text)


class ReportedFigure(Base):
    """A figure a source prints (a total, a balance, an amount in minutes), kept to be checked.

    Totals are never stored as facts: they are computed from funding and lines, and each reported
    figure is compared with its computed counterpart (``figure`` names which, e.g. ``balance:pool``).
    """

    __tablename__ = "reported_figure"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[str] = mapped_column(ForeignKey("partnership.id"), index=True)
    financial_year: Mapped[str] = mapped_column(String(7))
    figure: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(Text)
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(Text)


class Paper(Base):
    """A drafted board paper: where it is, its checksum and the run that produced it."""

    __tablename__ = "paper"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    meeting: Mapped[str] = mapped_column(String(64))
    paper: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(12))  # public, restricted
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    run_id: Mapped[str | None] = mapped_column(String(64))
    drafted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, server_default=func.now())
