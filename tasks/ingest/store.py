"""Writing one ingested file to the store in one transaction, with its provenance.

Re-ingesting the same bytes changes nothing (the checksum is the identity). A file that covers all the
months of an earlier file of the same kind supersedes it: both stay in the store, only the newer one is
current. A file that overlaps only part of an earlier file is refused, because keeping both would count
the shared months twice and dropping either would lose months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from csp.faults import crash_point
from csp.frames import POLICE_UK_COLUMNS, CheckOutcome, RowProblem
from csp.settings import input_limits
from csp.store import models
from csp.store.db import FieldTooLong, check_lengths, insert_columns, insert_rows, sql_value
from csp.store.locks import take_stage_lock
from tasks.ingest.errors import IngestError


@dataclass(frozen=True)
class Provenance:
    partnership_id: str
    source_kind: str
    label: str
    name: str
    path: str
    sha256: str
    size_bytes: int
    rows_read: int
    rows_outside_area: int
    rows_unlocated: int
    illustrative: bool
    flow_run_id: str | None
    force: bool = False  # replace even a file with far more rows (csp ingest --force)


def existing_file(session: Session, prov: Provenance) -> models.InputFile | None:
    return session.scalar(select(models.InputFile).where(
        models.InputFile.partnership_id == prov.partnership_id,
        models.InputFile.source_kind == prov.source_kind,
        models.InputFile.sha256 == prov.sha256,
    ))


def locked_duplicate(session: Session, prov: Provenance) -> bool:
    """Take the partnership's lock for this source kind (held until the file's transaction ends) and
    say whether the same file is already stored: two concurrent ingests store it once, never twice."""
    take_stage_lock(session, prov.partnership_id, "-", f"ingest:{prov.source_kind}")
    return existing_file(session, prov) is not None


def _to_date(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def _supersede(session: Session, prov: Provenance, months: list[str]) -> list[models.InputFile]:
    current = session.scalars(select(models.InputFile).where(
        models.InputFile.partnership_id == prov.partnership_id,
        models.InputFile.source_kind == prov.source_kind,
        models.InputFile.status == "current",
    )).all()
    replaced = []
    for old in current:
        old_months = set(old.months or [])
        if not months or not old_months or old_months <= set(months):  # reference files: the newer one replaces the older
            _check_shrink(prov, old)
            replaced.append(old)
        elif old_months & set(months):
            shared = ", ".join(sorted(old_months & set(months)))
            raise IngestError(
                f"{prov.label}: covers {shared} which are also in {old.file_name} (ingested "
                f"{old.ingested_at:%Y-%m-%d}) but not all of that file's months; send one file "
                "that covers all of them, or split this one by month"
            )
    return replaced


def _check_shrink(prov: Provenance, old: models.InputFile) -> None:
    """A replacement with far fewer rows than the file it supersedes is refused unless forced: a
    truncated download or a misnamed file must not quietly replace a complete month."""
    share = input_limits().min_replacement_share
    if prov.force or not old.rows_read or prov.rows_read >= share * old.rows_read:
        return
    raise IngestError(
        f"{prov.label}: has {prov.rows_read:,} rows where {old.file_name} (ingested "
        f"{old.ingested_at:%Y-%m-%d}), which it would replace, has {old.rows_read:,}: fewer than "
        f"{share:.0%} of them (CSP_MIN_REPLACEMENT_SHARE). Check the file is complete and for the right "
        "months; if it is, ingest it again with --force")


def _records(kind: str, frame: pd.DataFrame, partnership_id: str, file_id: int) -> dict[str, list[Any]]:
    """The accepted rows as the store's columns: missing values None, numbers as Python numbers.

    Built and stored column by column (a force's year is hundreds of thousands of rows; a row at a
    time through ``to_dict``, and later dictionaries made only to be taken apart again by the insert,
    were a noticeable part of each partnership's ingest)."""
    if kind == "boundaries":  # drawn from the file itself; only provenance is stored
        return {}
    columns = _police_columns(frame) if kind == "police_uk" else _population_columns(frame) if kind == "population" \
        else {"source_kind": [kind] * len(frame), **_partner_columns(frame)}
    return {"input_file_id": [file_id] * len(frame), "partnership_id": [partnership_id] * len(frame), **columns}


def _values(frame: pd.DataFrame, name: str, convert: Callable[[Any], Any] = sql_value) -> list[Any]:
    """One column as Python values, pandas' missing markers as None, ``convert`` applied to the rest.
    A column the frame lacks is all None."""
    if name not in frame.columns:
        return [None] * len(frame)
    column = frame[name]
    present = column.notna().tolist()
    values = column.astype(object).tolist()
    return [convert(v) if ok else None for v, ok in zip(values, present, strict=True)]


def _police_columns(frame: pd.DataFrame) -> dict[str, list[Any]]:
    text = {name: _values(frame, name) for name in ("category", "crime_id", "lsoa_code", "lsoa_name", "msoa_name",
                                                     "location", "msoa_code", "lsoa_code_published",
                                                     "lsoa_mapping", "outcome")}
    return {"row_number": _values(frame, "row_number", int), "month": _values(frame, "month", _to_date), **text,
            "longitude": _values(frame, "longitude", float), "latitude": _values(frame, "latitude", float)}


def _population_columns(frame: pd.DataFrame) -> dict[str, list[Any]]:
    text = {name: _values(frame, name) for name in ("lsoa_code", "lsoa_name", "msoa_code", "msoa_name", "la_code",
                                                     "msoa_place_name", "msoa_place_name_welsh", "ward_code",
                                                     "ward_name", "lsoa_change")}
    return {**text, "persons": _values(frame, "persons", int), "households": _values(frame, "households", int),
            "census_year": [int(v or 2011) for v in _values(frame, "census_year")]}


def _partner_columns(frame: pd.DataFrame) -> dict[str, list[Any]]:
    return {"row_number": _values(frame, "row_number", int), "month": _values(frame, "month", _to_date),
            "period_months": [int(v or 1) for v in _values(frame, "period_months")],
            **{name: _values(frame, name) for name in ("category", "subcategory", "area_code", "area_name")},
            "count": _values(frame, "count", int)}


_MODEL = {"police_uk": models.CrimeRecord, "population": models.Population}


def store_file(session: Session, prov: Provenance, accepted: pd.DataFrame,
               problems: list[RowProblem], outcomes: list[CheckOutcome]) -> tuple[models.InputFile, list[str]]:
    """Insert the file, its accepted rows, quarantined rows and check outcomes; supersede older files."""
    months = sorted(set(accepted["month"])) if "month" in accepted.columns else []
    replaced = _supersede(session, prov, months)
    quarantined_rows = {p.row_number for p in problems}
    record = models.InputFile(
        partnership_id=prov.partnership_id, source_kind=prov.source_kind, file_name=prov.name,
        path=prov.path, sha256=prov.sha256, size_bytes=prov.size_bytes, rows_read=prov.rows_read,
        rows_accepted=len(accepted), rows_quarantined=len(quarantined_rows),
        rows_outside_area=prov.rows_outside_area, rows_unlocated=prov.rows_unlocated,
        month_min=_to_date(months[0]) if months else None,
        month_max=_to_date(months[-1]) if months else None,
        months=months, illustrative=prov.illustrative, status="current",
        flow_run_id=prov.flow_run_id,
    )
    _check_lengths(models.InputFile, {"file_name": [prov.name], "path": [prov.path]}, prov.label)
    session.add(record)
    session.flush()
    for old in replaced:
        old.status = "superseded"
        old.superseded_by_id = record.id
    columns = _records(prov.source_kind, accepted, prov.partnership_id, record.id)
    _check_lengths(_MODEL.get(prov.source_kind, models.PartnerRecord), columns, prov.label)
    # plain rows (the ORM's bulk path adds nothing here and costs twice the time); COPY on PostgreSQL
    insert_columns(session, _MODEL.get(prov.source_kind, models.PartnerRecord).__table__, columns)
    _store_problems(session, record.id, problems)
    _store_outcomes(session, record, outcomes)
    crash_point("ingest.store")
    return record, [old.file_name for old in replaced]


def _check_lengths(model: type[models.Base], columns: dict[str, list[Any]], label: str) -> None:
    headings = {v: k for k, v in POLICE_UK_COLUMNS.items()} if model is models.CrimeRecord else {}
    try:
        check_lengths(model, columns, label, headings)
    except FieldTooLong as exc:
        raise IngestError(str(exc)) from None


def _store_problems(session: Session, file_id: int, problems: list[RowProblem]) -> None:
    if problems:  # plain rows, as the accepted rows: the ORM's bulk path costs twice as much
        insert_rows(session, models.QuarantinedRow.__table__, [
            {"input_file_id": file_id, "row_number": p.row_number, "column": p.column,
             "rule": p.rule, "reason": p.reason, "raw": _jsonable(p.raw)} for p in problems])


def _store_outcomes(session: Session, record: models.InputFile, outcomes: list[CheckOutcome]) -> None:
    if outcomes:
        insert_rows(session, models.ValidationResult.__table__, [
            {"partnership_id": record.partnership_id, "cycle_id": None, "input_file_id": record.id,
             "suite": o.suite, "expectation": o.expectation, "column": o.column,
             "severity": o.severity, "success": o.success, "element_count": o.element_count,
             "unexpected_count": o.unexpected_count, "message": o.message,
             "details": _jsonable(o.details)} for o in outcomes])


def _jsonable(value: Any) -> Any:
    """JSON columns need plain types; NaN and numpy scalars are not."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return None if value != value else value
    try:
        return None if pd.isna(value) else (value.item() if hasattr(value, "item") else str(value))
    except (TypeError, ValueError):
        return str(value)
