"""Which partner sent what for which months: the Data Group's view of a cycle, read from the store.

Counts are rows stored from current files (quarantined rows excluded). A quarterly row (IDVA) covers
each of its three months, so a quarter sent is a quarter covered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from csp.config import Partnership
from csp.frames import PARTNER_KINDS
from csp.store import models

MONTHLY_KINDS = ("police_uk", *PARTNER_KINDS)


@dataclass(frozen=True)
class SourceGap:
    """Months of one source missing from a stretch of months."""

    kind: str
    required: bool
    missing: list[str]  # due but absent
    not_yet_due: list[str]  # after the current month: cannot have arrived yet
    expected: int


def month_label(value: dt.date | pd.Period) -> str:
    return f"{value.year:04d}-{value.month:02d}"


def month_ranges(labels: list[str]) -> str:
    """'2023-10, 2023-11, 2023-12, 2024-02' -> '2023-10..2023-12, 2024-02': short enough to read."""
    periods = sorted(pd.Period(m, freq="M") for m in labels)
    runs: list[list[pd.Period]] = []
    for month in periods:
        if runs and month == runs[-1][-1] + 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}..{r[-1]}" for r in runs)


def current_files(session: Session, partnership_id: str) -> list[models.InputFile]:
    return list(session.scalars(
        select(models.InputFile)
        .where(models.InputFile.partnership_id == partnership_id, models.InputFile.status == "current")
        .order_by(models.InputFile.source_kind, models.InputFile.file_name)
    ))


def _file_ids(files: Iterable[models.InputFile], kind: str) -> list[int]:
    return [f.id for f in files if f.source_kind == kind]


def _crime_months(session: Session, file_ids: list[int]) -> dict[str, int]:
    if not file_ids:
        return {}
    rows = session.execute(
        select(models.CrimeRecord.month, func.count())
        .where(models.CrimeRecord.input_file_id.in_(file_ids))
        .group_by(models.CrimeRecord.month)
    )
    return {month_label(month): int(n) for month, n in rows}


def _partner_months(session: Session, file_ids: list[int]) -> dict[str, int]:
    if not file_ids:
        return {}
    rows = session.execute(
        select(models.PartnerRecord.month, models.PartnerRecord.period_months, func.count())
        .where(models.PartnerRecord.input_file_id.in_(file_ids))
        .group_by(models.PartnerRecord.month, models.PartnerRecord.period_months)
    )
    counts: dict[str, int] = {}
    for month, span, n in rows:
        first = pd.Period(month, freq="M")
        for offset in range(max(int(span or 1), 1)):
            label = month_label(first + offset)
            counts[label] = counts.get(label, 0) + int(n)
    return counts


def monthly_kinds(config: Partnership) -> list[str]:
    return [kind for kind in MONTHLY_KINDS if kind in config.sources]


def rows_by_month(session: Session, config: Partnership, files: list[models.InputFile],
                  months: list[pd.Period]) -> pd.DataFrame:
    """Sources (rows) by months (columns), stored rows per month, 0 where nothing arrived."""
    labels = [month_label(m) for m in months]
    table = {}
    for kind in monthly_kinds(config):
        ids = _file_ids(files, kind)
        counts = _crime_months(session, ids) if kind == "police_uk" else _partner_months(session, ids)
        table[kind] = [counts.get(label, 0) for label in labels]
    frame = pd.DataFrame.from_dict(table, orient="index", columns=labels, dtype="int64")
    frame.index.name = "source"
    return frame


def gaps(table: pd.DataFrame, config: Partnership, this_month: pd.Period) -> list[SourceGap]:
    """Per source, the months with no rows, split into overdue and not yet due."""
    out = []
    for kind, row in table.iterrows():
        empty = [label for label, n in row.items() if n == 0]
        due = [m for m in empty if pd.Period(m, freq="M") <= this_month]
        later = [m for m in empty if pd.Period(m, freq="M") > this_month]
        out.append(SourceGap(str(kind), config.sources[str(kind)].required, due, later, len(row)))
    return out

